from __future__ import annotations

import pytest

from lfr.ingest.redact import redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:secret@10.0.0.5:554/stream", "rtsp://***@10.0.0.5:554/stream"),
        ("rtsp://admin@10.0.0.5/stream", "rtsp://***@10.0.0.5/stream"),
        ("rtsp://10.0.0.5:554/stream", "rtsp://10.0.0.5:554/stream"),
        ("http://u:p@[fe80::1]:8080/mjpg", "http://***@[fe80::1]:8080/mjpg"),
        ("rtsp://[fe80::1]:554/s", "rtsp://[fe80::1]:554/s"),
        (
            "https://cam.example/live?channel=2&password=hunter2&api_key=K&Token=T",
            "https://cam.example/live?channel=2&password=***&api_key=***&Token=***",
        ),
        ("http://cam/s?pwd=x&user=bob", "http://cam/s?pwd=***&user=bob"),
        ("http://cam/s#access_token=abc", "http://cam/s#access_token=***"),
        ("/videos/entrance.mp4", "/videos/entrance.mp4"),
        ("0", "0"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "rtsp://admin:p@ss@10.0.0.5/stream",  # '@' inside the password
        "rtsp://admin:se/cret@10.0.0.5/stream",  # '/' cuts the authority short
        "rtsp://admin:pa?ss@10.0.0.5/stream",  # so does '?'
        "rtsp://admin:pa#ss@10.0.0.5/stream",  # and '#'
    ],
)
def test_awkward_passwords_never_leak(url: str) -> None:
    redacted = redact_url(url)
    assert "ss" not in redacted and "cret" not in redacted
    assert redacted.endswith("10.0.0.5/stream")
    assert redacted.startswith("rtsp://***")


def test_redact_text_finds_urls_inside_messages() -> None:
    text = "could not open rtsp://admin:secret@cam/s (timeout) and http://x/y?token=t"
    assert redact_text(text) == "could not open rtsp://***@cam/s (timeout) and http://x/y?token=***"
