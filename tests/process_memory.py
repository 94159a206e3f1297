"""Reading another process's memory, as an attacker with root on that machine would
(``/proc/PID/maps`` and ``/proc/PID/mem``): the proof that a wipe overwrote what it claims to.

Only writable mappings are read: a descriptor or a JPEG that reached the process lives in its
heap, its stacks or an anonymous mapping, never in the read-only pages of a library."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

_MAPPING = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$")
_SKIPPED = ("[vvar]", "[vsyscall]", "[vdso]")


def _writable_regions(pid: int) -> Iterator[tuple[int, int]]:
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        found = _MAPPING.match(line)
        if found is None:
            continue
        start, end, perms, name = found.groups()
        if perms[0] == "r" and perms[1] == "w" and name.strip() not in _SKIPPED:
            yield int(start, 16), int(end, 16)


def found_in_memory(pid: int, needles: Sequence[bytes]) -> list[int]:
    """The indices of ``needles`` found anywhere in ``pid``'s writable memory."""
    found: set[int] = set()
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for start, end in _writable_regions(pid):
            try:
                memory.seek(start)
                region = memory.read(end - start)
            except (OSError, OverflowError, ValueError):  # unmapped meanwhile, or guard pages
                continue
            found.update(
                i for i, needle in enumerate(needles) if i not in found and needle in region
            )
    return sorted(found)


def where_in_memory(pid: int, needle: bytes, context: int = 96) -> list[str]:
    """Where ``needle`` lies (for a failing test's message): each mapping and what surrounds it."""
    places = []
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for line in maps:
            found = _MAPPING.match(line)
            if found is None or found.group(3)[:2] != "rw":
                continue
            start, end = int(found.group(1), 16), int(found.group(2), 16)
            try:
                memory.seek(start)
                region = memory.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            at = region.find(needle)
            while at >= 0:
                around = region[max(0, at - context) : at + len(needle) + context]
                places.append(f"{line} +{at:#x}: {around!r}")
                at = region.find(needle, at + 1)
    return places
