"""The scheduled reviews of the pipeline: the daily briefing for staff and the agent, and the weekly queue of
outreach drafts. Neither sends anything; a person reads the briefing and sends the drafts by hand."""

import logging
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openleg.errors import DomainError
from openleg.periods import local_day
from pipeline import dashboard, selectors, services
from pipeline.models import OutreachDraft, PipelineBriefing, PipelineEvent, Stage
from pipeline.stages import Door

logger = logging.getLogger(__name__)
TOP_LEADS = 5
QUIET_DAYS = 30  # a utility contacted more recently than this is left to the person who talks to it
OUTREACH_STAGES = (Stage.LEAD, Stage.CONTACTED)


def _changes(day: date) -> dict:
    """Stage changes, contacts and new drafts of one Zurich calendar day."""
    period = local_day(day)
    events = PipelineEvent.objects.filter(at__gte=period.start, at__lt=period.end).select_related("utility")
    drafts = OutreachDraft.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    stage_changes, contacts = [], []
    for event in events.order_by("at", "pk"):
        row = {"utility_id": event.utility_id, "utility": event.utility.name}
        if event.kind == PipelineEvent.Kind.STAGE:
            stage_changes.append({**row, "from_stage": event.from_stage, "to_stage": event.to_stage})
        else:
            contacts.append({**row, "channel": event.channel, "summary": event.summary})
    return {
        "stage_changes": stage_changes,
        "contacts": contacts,
        "new_drafts": [
            {
                "draft_id": draft.pk,
                "utility_id": draft.utility_id,
                "utility": draft.utility.name,
                "subject": draft.subject,
            }
            for draft in drafts.select_related("utility").order_by("created_at", "pk")
        ],
    }


def briefing_figures(*, today: date) -> dict:
    """What the briefing says, as data: yesterday's changes, what is due today or overdue, the top leads."""
    funnel = dashboard.dashboard_figures(today=today)
    due = selectors.pipeline_list(today=today).filter(next_action_due=today).order_by("name", "pk")
    top = selectors.pipeline_list(stage=Stage.LEAD, today=today).filter(score__isnull=False)[:TOP_LEADS]
    return {
        "day": today.isoformat(),
        "since": (today - timedelta(days=1)).isoformat(),
        **_changes(today - timedelta(days=1)),
        "due_today": [{"utility_id": u.pk, "utility": u.name, "next_action": u.next_action} for u in due],
        "overdue": funnel["overdue"],
        "top_leads": [{"utility_id": u.pk, "utility": u.name, "score": u.score} for u in top],
        "stages": {row["stage"]: row["count"] for row in funnel["stages"]},
    }


def _line(label: str, items: list[str], empty: str) -> str:
    return f"{label}: {'; '.join(items) if items else empty}"


def briefing_text(figures: dict) -> str:
    def stage(value: str) -> str:
        return str(Stage(value).label)

    day, since = date.fromisoformat(figures["day"]), date.fromisoformat(figures["since"])
    channels = dict(PipelineEvent.Channel.choices)
    lines = [
        _("Pipeline am %(day)s") % {"day": date_format(day, "d.m.Y")},
        "",
        _("Gestern (%(day)s):") % {"day": date_format(since, "d.m.Y")},
        "- "
        + _line(
            _("Phasenwechsel"),
            [
                f"{row['utility']}: {stage(row['from_stage'])} → {stage(row['to_stage'])}"
                for row in figures["stage_changes"]
            ],
            _("keine"),
        ),
        "- "
        + _line(
            _("Kontakte"), [f"{row['utility']} ({channels[row['channel']]})" for row in figures["contacts"]], _("keine")
        ),
        "- " + _line(_("Neue Entwürfe"), [row["utility"] for row in figures["new_drafts"]], _("keine")),
        "",
        _line(
            _("Heute fällig"), [f"{row['utility']}: {row['next_action']}" for row in figures["due_today"]], _("nichts")
        ),
        _line(
            _("Überfällig"),
            [
                f"{row['name']}: {row['next_action']} ("
                + ngettext("%(days)s Tag", "%(days)s Tage", row["days_overdue"]) % {"days": row["days_overdue"]}
                + ")"
                for row in figures["overdue"]
            ],
            _("nichts"),
        ),
        _line(
            _("Top-Leads"),
            [f"{row['utility']} ({row['score']})" for row in figures["top_leads"]],
            _("keine bewerteten"),
        ),
    ]
    return "\n".join(lines)


def pipeline_daily_review(*, today: date) -> PipelineBriefing:
    """Store today's briefing; a second run on the same day refreshes the one row of that day."""
    figures = briefing_figures(today=today)
    briefing, _created = PipelineBriefing.objects.update_or_create(
        day=today, defaults={"text": briefing_text(figures), "figures": figures}
    )
    return briefing


def pipeline_weekly_outreach(*, today: date, limit: int = 10) -> list[OutreachDraft]:
    """Queue drafts for the best-scored open leads and contacted utilities that nobody contacted in the last
    30 days and that have no open draft yet. Drafts only: a person reviews and sends them."""
    quiet_since = local_day(today - timedelta(days=QUIET_DAYS)).start
    open_draft = OutreachDraft.objects.filter(utility=OuterRef("pk"), status=OutreachDraft.Status.DRAFT)
    candidates = (
        selectors.pipeline_list(today=today)
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=quiet_since))
        .filter(stage__in=OUTREACH_STAGES, score__isnull=False)
        .exclude(Exists(open_draft))[:limit]
    )
    drafts = []
    for utility in candidates:
        try:
            drafts.append(services.outreach_draft_create(utility=utility, actor=None, door=Door.TASK))
        except DomainError as refused:
            logger.warning("no outreach draft for utility %s: %s", utility.pk, refused.message)
    return drafts
