"""``SPEC@node``: which cameras run on an edge node, without mistaking a URL's credentials for
a node."""

from __future__ import annotations

import pytest

from lfr.governance.deployments.camera_nodes import by_node, in_process, split_node


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("/media/clip.mp4@node1", ("/media/clip.mp4", "node1")),
        ("rtsp://cam.local/stream@van-2", ("rtsp://cam.local/stream", "van-2")),
        ("rtsp://u:p@10.0.0.5:554/s@node1", ("rtsp://u:p@10.0.0.5:554/s", "node1")),
        ("rtsp://user@camhost", ("rtsp://user@camhost", None)),  # the URL's own '@'
        ("rtsp://u:p@10.0.0.5:554/stream", ("rtsp://u:p@10.0.0.5:554/stream", None)),
        ("clip.mp4@Node1", ("clip.mp4@Node1", None)),  # not a node name
        ("clip.mp4@centre", ("clip.mp4@centre", None)),  # the centre is no node
        ("demo", ("demo", None)),
    ],
)
def test_split_node_takes_a_node_suffix_only_where_it_cannot_be_part_of_the_source(
    spec: str, expected: tuple[str, str | None]
) -> None:
    assert split_node(spec) == expected


def test_cameras_are_grouped_by_node_and_only_the_others_run_in_process() -> None:
    cameras = {"a": "demo", "b": "x.mp4@node1", "c": "rtsp://h/s@node2", "d": "y.mp4@node1"}
    assert in_process(cameras) == {"a": "demo"}
    assert by_node(cameras) == {
        "node1": {"b": "x.mp4", "d": "y.mp4"},
        "node2": {"c": "rtsp://h/s"},
    }
