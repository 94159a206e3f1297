"""The deployment state machine is one table; every move outside it is refused by name."""

from __future__ import annotations

import pytest

from lfr.errors import StateError
from lfr.governance.states import TRANSITIONS, DeploymentState, require_transition

S = DeploymentState
ALLOWED = {
    (S.DRAFT, S.AUTHORISED),
    (S.DRAFT, S.LIVE),  # an emergency start, authorised afterwards or refused
    (S.DRAFT, S.CANCELLED),
    (S.AUTHORISED, S.LIVE),
    (S.AUTHORISED, S.CANCELLED),
    (S.LIVE, S.ENDED),
}


def test_the_table_holds_exactly_the_documented_moves() -> None:
    table = {(here, there) for here, targets in TRANSITIONS.items() for there in targets}
    assert table == ALLOWED
    assert set(TRANSITIONS) == set(DeploymentState)


@pytest.mark.parametrize("here", list(DeploymentState))
@pytest.mark.parametrize("there", list(DeploymentState))
def test_every_move_outside_the_table_is_refused_naming_both_states(
    here: DeploymentState, there: DeploymentState
) -> None:
    if (here, there) in ALLOWED:
        assert require_transition(here.value, there) is there
        return
    with pytest.raises(StateError, match=f"cannot go from {here.value} to {there.value}"):
        require_transition(here.value, there)
