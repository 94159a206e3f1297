"""The camera sources of a live run (``lfr.runtime.sources``)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from lfr.runtime.sources import LoopingDemoClip, open_live


def test_the_demo_camera_loops_in_real_time() -> None:
    """Paced like a live camera, so a busy machine may drop frames (which ones is up to its
    speed): frames come in strictly increasing order, each stamped with its own moment in the
    clip, and the clip starts over when it ends."""
    source = open_live("demo", "demo")
    assert isinstance(source, LoopingDemoClip) and source.realtime
    source.n_frames = 3  # a 3-frame clip: a few frames are enough to see it start over
    frames = source.frames()
    try:
        seen = [next(frames) for _ in range(8)]  # a clip that did not loop would end after 3
    finally:
        source.close()
    indices = [f.index for f in seen]
    assert all(a < b for a, b in pairwise(indices)), indices
    assert all(f.time_s == pytest.approx(f.index / source.fps) for f in seen)
    for frame in seen:  # frame i of the live feed is frame i mod 3 of the clip
        assert np.array_equal(frame.image, source.render(frame.index % 3)), frame.index
