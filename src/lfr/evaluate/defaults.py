"""Defaults of ``lfr evaluate``, importable without the heavy modules (for the parser)."""

from __future__ import annotations

DEFAULT_THRESHOLDS = (0.40, 0.45, 0.50, 0.55, 0.60)
"""Distance thresholds tabulated (the engine's own is always added)."""
DEFAULT_SIZES = (1_000, 10_000)
"""Watchlist sizes FPIR is scaled to."""
DEFAULT_TARGET_FPIR = 1 / 6000
DEFAULT_TARGET_SIZE = 10_000
"""NPL 2023: FPIR of about 1 in 6,000 with a 10,000-image watchlist."""
DEFAULT_RULES = ((1, 1), (2, 3), (3, 5))
"""Alert rules (k hits in a track's last n shots) tried on a clip."""
TOLERANCE_S = 0.2
"""Seconds of slack around a ground-truth appearance when judging an alert."""
