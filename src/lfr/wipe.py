"""Overwriting biometric data in memory when it is no longer needed.

Python frees memory without clearing it: a descriptor or a JPEG held in an object that was
merely dropped stays readable in the process (``/proc/PID/mem``, a core dump, swap) until the
allocator happens to reuse it. What holds a watchlist's data in the clear is therefore a
mutable buffer (``bytearray``, a writable numpy array) that its owner zeroes at the wipe.
"""

from __future__ import annotations

import numpy as np

Buffer = bytes | bytearray | memoryview | np.ndarray
"""``bytes`` are accepted and left as they are: immutable, so whoever made them must not."""


def zero(*buffers: Buffer) -> None:
    """Overwrite each buffer with zeros, in place (read-only or empty ones are skipped)."""
    for buffer in buffers:
        view = np.frombuffer(buffer, np.uint8) if not isinstance(buffer, np.ndarray) else buffer
        if view.size and view.flags.writeable:
            view.fill(0)
