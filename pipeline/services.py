"""Writes to the sales pipeline: stage moves, contacts, next actions, scores and outreach drafts.

Every door (admin, agent API, tasks, commands, later the subscription) calls these functions; each
stage change and each contact leaves a PipelineEvent saying who, when and through which door.
"""

import logging
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.actors import done_by, recorded_user
from openleg.errors import DomainError
from openleg.history import step_moment
from openleg.periods import as_utc, utc_now
from pipeline.models import OutreachDraft, PipelineEvent, Stage, Utility
from pipeline.outreach import outreach_facts, outreach_render
from pipeline.scoring import score
from pipeline.selectors import score_inputs_from_totals, score_inputs_of, score_references, with_market_totals
from pipeline.selectors import utility_get as utility_get  # the agent API finds every pipeline call here
from pipeline.stages import Door, stage_needs_note, stage_targets

logger = logging.getLogger(__name__)
_NEXT_ACTION_MAX = Utility._meta.get_field("next_action").max_length


class StageChangeRefused(DomainError):
    code = "stage_change_refused"

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or []


def utility_stage_move(
    *, utility: Utility, to_stage: str, actor, door: Door | str, note: str = "", at: datetime | None = None
) -> PipelineEvent:
    """Move ``utility`` to ``to_stage`` if the stage graph allows it from the stage stored now.

    ``at`` records a move made earlier (a history taken over, the demo): not in the future, not before the
    utility's last stage change.
    """
    door = Door(door)
    if to_stage not in Stage.values:
        raise StageChangeRefused(_("Die Phase «%(stage)s» gibt es nicht.") % {"stage": to_stage})
    to_stage = Stage(to_stage)
    note = note.strip()
    with transaction.atomic():
        current = Utility.objects.select_for_update().get(pk=utility.pk)
        from_stage = Stage(current.stage)
        if to_stage not in stage_targets(from_stage, door=door):
            raise StageChangeRefused(
                _("Von «%(from)s» kann der Netzbetreiber nicht nach «%(to)s» wechseln.")
                % {"from": from_stage.label, "to": to_stage.label}
            )
        if stage_needs_note(to_stage) and not note:
            reason = _("Bitte eine Begründung angeben.")
            raise StageChangeRefused(
                _("Der Netzbetreiber kann nicht nach «%(to)s» wechseln: %(reason)s")
                % {"to": to_stage.label, "reason": reason},
                [reason],
            )
        now = step_moment(at, latest=current.stage_changed_at)
        Utility.objects.filter(pk=current.pk).update(stage=to_stage, stage_changed_at=now)
        event = PipelineEvent.objects.create(
            utility=current,
            kind=PipelineEvent.Kind.STAGE,
            at=now,
            actor=recorded_user(actor),
            door=door,
            from_stage=from_stage,
            to_stage=to_stage,
            summary=note,
        )
    utility.stage, utility.stage_changed_at = to_stage, now
    return event


def utility_contact_record(
    *, utility: Utility, channel: str, summary: str, actor, door: Door | str, at: datetime | None = None
) -> PipelineEvent:
    """Record a contact with ``utility`` and move its last contact forward (never back).

    A first contact does not move a lead to «kontaktiert»: the stage changes only through
    ``utility_stage_move``, so that every stage change is a decision somebody made.
    """
    door = Door(door)
    summary = summary.strip()
    if not summary:
        raise DomainError(_("Bitte festhalten, worum es im Kontakt ging."), field="summary")
    if channel not in PipelineEvent.Channel.values:
        raise DomainError(_("Den Kanal «%(channel)s» gibt es nicht.") % {"channel": channel}, field="channel")
    at = utc_now() if at is None else as_utc(at)
    if at > utc_now():
        raise DomainError(_("Ein Kontakt kann nicht in der Zukunft liegen."), field="at")
    with transaction.atomic():
        event = PipelineEvent.objects.create(
            utility=utility,
            kind=PipelineEvent.Kind.CONTACT,
            at=at,
            actor=recorded_user(actor),
            door=door,
            channel=channel,
            summary=summary,
        )
        # Conditional update: a contact recorded late must not hide a newer one.
        Utility.objects.filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at), pk=utility.pk).update(
            last_contact_at=at
        )
    utility.last_contact_at = Utility.objects.values_list("last_contact_at", flat=True).get(pk=utility.pk)
    return event


def utility_next_action_set(*, utility: Utility, action: str, due: date | None, actor, door: Door | str) -> Utility:
    """Set the next step and its due date; an empty action with no date clears both.

    The model keeps no history of next actions (PipelineEvent holds stage changes and contacts), so who
    set it through which door goes to the log.
    """
    door = Door(door)
    action = action.strip()
    if bool(action) != (due is not None):
        raise DomainError(
            _("Ein nächster Schritt braucht ein Fälligkeitsdatum, und ein Fälligkeitsdatum einen Schritt."),
            field="next_action_due" if action else "next_action",
        )
    if len(action) > _NEXT_ACTION_MAX:
        raise DomainError(
            _("Der nächste Schritt darf höchstens %(max)d Zeichen lang sein.") % {"max": _NEXT_ACTION_MAX},
            field="next_action",
        )
    Utility.objects.filter(pk=utility.pk).update(next_action=action, next_action_due=due)
    utility.next_action, utility.next_action_due = action, due
    logger.info("%s", _next_action_sentence(utility, action, due, done_by(actor, door.label)))
    return utility


def _next_action_sentence(utility: Utility, action: str, due: date | None, who: str) -> str:
    if not action:
        return _("Nächster Schritt für «%(utility)s» gelöscht %(who)s.") % {"utility": utility, "who": who}
    return _("Nächster Schritt für «%(utility)s» gesetzt %(who)s: «%(action)s», fällig am %(due)s.") % {
        "utility": utility,
        "who": who,
        "action": action,
        "due": due.strftime("%d.%m.%Y"),
    }


def utility_rescore(*, utility: Utility) -> Utility:
    """Compute the score of ``utility`` from the data stored now and store it with its breakdown."""
    result = score(score_inputs_of(utility), settings.PIPELINE_SCORE_WEIGHTS)
    now = utc_now()
    breakdown = result.as_json()
    Utility.objects.filter(pk=utility.pk).update(score=result.total, score_breakdown=breakdown, scored_at=now)
    utility.score, utility.score_breakdown, utility.scored_at = result.total, breakdown, now
    return utility


def utilities_rescore(queryset: QuerySet[Utility]) -> int:
    """Rescore every utility in ``queryset`` (after a market import, say); returns how many."""
    references, weights, now = score_references(), settings.PIPELINE_SCORE_WEIGHTS, utc_now()
    scored = []
    for utility in with_market_totals(queryset.order_by()):
        result = score(score_inputs_from_totals(utility, references), weights)
        utility.score, utility.score_breakdown, utility.scored_at = result.total, result.as_json(), now
        scored.append(utility)
    with transaction.atomic():
        Utility.objects.bulk_update(scored, ["score", "score_breakdown", "scored_at"], batch_size=200)
    return len(scored)


def outreach_draft_create(
    *, utility: Utility, actor, door: Door | str, template: str = "first_contact"
) -> OutreachDraft:
    """A draft for a person to review and send; OpenLEG never sends it."""
    door = Door(door)
    facts = outreach_facts(utility)
    subject, body = outreach_render(template, facts)
    return OutreachDraft.objects.create(
        utility=utility,
        template=template,
        subject=subject,
        body=body,
        facts=facts,
        created_by=recorded_user(actor),
        door=door,
    )


def outreach_draft_revise(
    *, draft: OutreachDraft, body: str, actor, door: Door | str, subject: str = ""
) -> OutreachDraft:
    """A revised text for an open draft, kept as a new draft beside it (the original stays as it was).

    The facts stay those of the original: a revision may word them differently, not add new ones. A revision
    through the agent's door is marked as written by the agent; either way it is still a draft a person sends.
    """
    door = Door(door)
    body, subject = body.strip(), " ".join(subject.split())
    if not body:
        raise DomainError(_("Der überarbeitete Text ist leer."), field="body")
    if draft.status != OutreachDraft.Status.DRAFT:
        raise DomainError(
            _("Der Entwurf %(draft)s ist bereits %(status)s; nur ein offener Entwurf kann überarbeitet werden.")
            % {"draft": draft.pk, "status": draft.get_status_display()},
            code="draft_closed",
        )
    return OutreachDraft.objects.create(
        utility=draft.utility,
        template=draft.template,
        subject=subject or draft.subject,
        body=body + "\n",
        facts=draft.facts,
        created_by=recorded_user(actor),
        door=door,
        revision_of=draft,
        written_by_agent=door == Door.AGENT,
    )
