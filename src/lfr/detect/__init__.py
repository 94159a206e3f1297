"""Face detectors: find face boxes in a frame."""
