"""The sales stages of a utility and the moves allowed between them.

lead → contacted → demo → trial → paid → churned, and lost from any open stage (lead, contacted,
demo, trial). Steps back, each for a reason a sales team meets:

- demo → contacted: the demo was called off; the utility is still in talks.
- churned → trial: a win-back starts with a new trial.
- lost → lead: a lost prospect is taken up again (new people, new budget).

Trial, paid and churned follow the utility's subscription once Stripe drives them. The
``subscription`` door may only make those moves (a sign-up from any open stage, payment, cancellation);
the staff doors keep the whole graph above until then.
"""

from pipeline.models import Door, Stage

OPEN_STAGES = (Stage.LEAD, Stage.CONTACTED, Stage.DEMO, Stage.TRIAL)
SUBSCRIPTION_STAGES = (Stage.TRIAL, Stage.PAID, Stage.CHURNED)


_MOVES = {
    Stage.LEAD: [Stage.CONTACTED],
    Stage.CONTACTED: [Stage.DEMO],
    Stage.DEMO: [Stage.TRIAL, Stage.CONTACTED],
    Stage.TRIAL: [Stage.PAID],
    Stage.PAID: [Stage.CHURNED],
    Stage.CHURNED: [Stage.TRIAL],
    Stage.LOST: [Stage.LEAD],
}

# What a subscription event can mean: a sign-up (with or without trial), a payment, a cancellation.
_SUBSCRIPTION_MOVES = {
    Stage.LEAD: [Stage.TRIAL, Stage.PAID],
    Stage.CONTACTED: [Stage.TRIAL, Stage.PAID],
    Stage.DEMO: [Stage.TRIAL, Stage.PAID],
    Stage.TRIAL: [Stage.PAID, Stage.CHURNED],
    Stage.PAID: [Stage.CHURNED],
    Stage.CHURNED: [Stage.TRIAL, Stage.PAID],
    Stage.LOST: [Stage.TRIAL, Stage.PAID],
}


def stage_targets(stage: str, *, door: str | None = None) -> list[str]:
    """The stages a utility in ``stage`` may move to through ``door``, forward first."""
    stage = Stage(stage)
    if door == Door.SUBSCRIPTION:
        return list(_SUBSCRIPTION_MOVES[stage])
    if stage in OPEN_STAGES:
        return [*_MOVES[stage], Stage.LOST]
    return list(_MOVES[stage])


def stage_needs_note(stage: str) -> bool:
    """A utility is only marked lost with the reason, so that the next person knows why."""
    return stage == Stage.LOST
