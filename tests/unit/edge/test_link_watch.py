"""An edge node says when its link to the centre is lost and when it is back, once each."""

from __future__ import annotations

from lfr.edge.node.link import LinkWatch


def test_each_change_of_the_link_is_said_once() -> None:
    said: list[str] = []
    watch = LinkWatch(said.append)
    watch.answered()
    watch.answered()
    assert said == ["link to the centre up"]
    for _ in range(3):
        watch.unanswered("TimeoutError")
    assert said[1:] == [
        "link to the centre lost (TimeoutError): alerts and counts wait until it is back"
    ]
    watch.answered()
    watch.answered()
    assert len(said) == 3 and said[2].startswith("link to the centre back after ")


def test_a_node_that_never_reached_the_centre_says_it_is_cut_off() -> None:
    said: list[str] = []
    watch = LinkWatch(said.append)
    watch.unanswered("NoRespondersError")
    watch.answered()
    assert said[0].startswith("link to the centre lost (NoRespondersError)")
    assert said[1].startswith("link to the centre back after")
