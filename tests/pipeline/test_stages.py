from itertools import pairwise

import pytest

from pipeline.models import Stage
from pipeline.stages import Door, stage_needs_note, stage_targets

S = Stage

STAFF_MOVES = {
    S.LEAD: [S.CONTACTED, S.LOST],
    S.CONTACTED: [S.DEMO, S.LOST],
    S.DEMO: [S.TRIAL, S.CONTACTED, S.LOST],
    S.TRIAL: [S.PAID, S.LOST],
    S.PAID: [S.CHURNED],
    S.CHURNED: [S.TRIAL],
    S.LOST: [S.LEAD],
}

SUBSCRIPTION_MOVES = {
    S.LEAD: [S.TRIAL, S.PAID],
    S.CONTACTED: [S.TRIAL, S.PAID],
    S.DEMO: [S.TRIAL, S.PAID],
    S.TRIAL: [S.PAID, S.CHURNED],
    S.PAID: [S.CHURNED],
    S.CHURNED: [S.TRIAL, S.PAID],
    S.LOST: [S.TRIAL, S.PAID],
}


@pytest.mark.parametrize("door", [None, Door.ADMIN, Door.API, Door.TASK, Door.COMMAND, "admin"])
def test_every_stage_has_exactly_the_documented_targets_for_staff_doors(door):
    assert {stage: stage_targets(stage, door=door) for stage in S} == STAFF_MOVES


def test_the_subscription_door_only_reaches_the_subscription_stages():
    assert {stage: stage_targets(stage, door=Door.SUBSCRIPTION) for stage in S} == SUBSCRIPTION_MOVES
    reached = {target for targets in SUBSCRIPTION_MOVES.values() for target in targets}
    assert reached == {S.TRIAL, S.PAID, S.CHURNED}


def test_lost_is_reachable_from_every_open_stage_and_from_no_other():
    assert [stage for stage in S if S.LOST in stage_targets(stage)] == [S.LEAD, S.CONTACTED, S.DEMO, S.TRIAL]


def test_the_forward_path_is_lead_contacted_demo_trial_paid_churned():
    path = [S.LEAD, S.CONTACTED, S.DEMO, S.TRIAL, S.PAID, S.CHURNED]
    assert all(stage_targets(this)[0] == following for this, following in pairwise(path))


def test_no_stage_moves_to_itself():
    assert all(stage not in stage_targets(stage, door=door) for stage in S for door in (None, Door.SUBSCRIPTION))


def test_an_unknown_stage_is_a_programming_error():
    with pytest.raises(ValueError):
        stage_targets("won")


def test_only_lost_needs_a_note():
    assert [stage for stage in S if stage_needs_note(stage)] == [S.LOST]
