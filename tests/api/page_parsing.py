"""Reading rendered pages in tests: the elements with a given test id and their attributes,
and the form fields that have no label."""

from __future__ import annotations

from html.parser import HTMLParser

Attrs = dict[str, str | None]
FIELDS = ("input", "select", "textarea")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, Attrs, int]] = []
        """(tag, attributes, how many <label> elements enclose it)"""
        self.label_ids: set[str] = set()
        self._labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self._labels += 1
            if found.get("for"):
                self.label_ids.add(str(found["for"]))
        self.elements.append((tag, found, self._labels))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels -= 1


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def by_testid(html: str, testid: str) -> list[Attrs]:
    return [attrs for _, attrs, _ in _collect(html).elements if attrs.get("data-testid") == testid]


def unlabelled_fields(html: str) -> list[Attrs]:
    """Inputs, selects and text areas a screen reader cannot name: not inside a <label>, not
    named by one's ``for``, no aria-label (hidden inputs need none)."""
    page = _collect(html)
    return [
        attrs
        for tag, attrs, labels in page.elements
        if tag in FIELDS
        and attrs.get("type") != "hidden"
        and labels == 0
        and attrs.get("id") not in page.label_ids
        and not attrs.get("aria-label")
    ]
