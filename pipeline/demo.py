"""Demo market data: about 30 fictitious utilities (VNB) with the municipalities they serve, for the pipeline,
and a sales history that spreads them over every stage.

The history goes through the pipeline's services with past moments, so the dashboard's funnel, conversions and
median days read as they would after a year and a half of selling. The utility of the demo communities is a paying
customer since before its first community was formed; the others' histories end within the last months before the
day the demo is loaded, so their next actions fall due around that day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction

from openleg.periods import ZURICH, as_utc, local_today
from pipeline import services
from pipeline.market_import import ImportSummary, market_data_import
from pipeline.models import PipelineEvent as Event
from pipeline.models import Stage, Utility
from pipeline.stages import Door

DEMO_MARKET_FILE = Path(__file__).with_name("demo_market.csv")
DEMO_MARKET_SOURCE = "Demodaten OpenLEG"
DEMO_CUSTOMER = "EWS-DEMO"  # the utility of the demo communities and of the portal login
# The demo customer's history ends before its first community was formed (communities.demo, documents.demo).
CUSTOMER_ANCHOR = date(2025, 6, 2)
MARKET_KNOWN_DAYS = 420  # the market data was taken in this many days before the demo is loaded


def load_demo_market() -> ImportSummary:
    """Through the real import, marked as demo data; safe to run twice."""
    return market_data_import(
        file=DEMO_MARKET_FILE.read_bytes(), source=DEMO_MARKET_SOURCE, actor=None, door=Door.COMMAND, demo=True
    )


@dataclass(frozen=True)
class Story:
    """A utility's way through the pipeline, in days before an anchor day: stage moves and contacts."""

    short_name: str
    moves: tuple[tuple[int, str, str], ...]  # (days before, stage, note)
    contacts: tuple[tuple[int, str, str], ...] = ()  # (days before, channel, summary)
    next_action: tuple[str, int] | None = None  # (action, due in days after today; negative: overdue)
    known_days: int = MARKET_KNOWN_DAYS


S, C = Stage, Event.Channel

STORIES = (
    Story(
        DEMO_CUSTOMER,
        (
            (230, S.CONTACTED, "Interesse an LEG-Abrechnung für zwei Quartiere"),
            (190, S.DEMO, ""),
            (140, S.TRIAL, "Testphase mit den Messdaten von Sonnenberg"),
            (60, S.PAID, "Vertrag unterzeichnet"),
        ),
        (
            (232, C.EMAIL, "Erstkontakt mit Petra Demo: Anfragen von Hauseigentümern zu LEG"),
            (190, C.MEETING, "Demo der Abrechnung und der Messdaten vor Ort"),
            (62, C.PHONE, "Vertrag besprochen; Start mit der LEG Sonnenberg Dorf"),
        ),
        known_days=270,
    ),
    Story(
        "GLATTWIL-DEMO",
        ((380, S.CONTACTED, ""), (330, S.DEMO, ""), (290, S.TRIAL, ""), (230, S.PAID, "Jahresabo ab Januar")),
        ((381, C.EVENT, "Gespräch am VSE-Anlass zu LEG"),),
    ),
    Story(
        "REUSSFELD-DEMO",
        ((300, S.CONTACTED, ""), (260, S.DEMO, ""), (200, S.TRIAL, ""), (120, S.PAID, "")),
        ((300, C.PHONE, "Anruf des Netzleiters nach Empfehlung durch Glattwil"),),
    ),
    Story(
        "SEEACKER-DEMO",
        (
            (400, S.CONTACTED, ""),
            (360, S.DEMO, ""),
            (320, S.TRIAL, ""),
            (280, S.PAID, ""),
            (40, S.CHURNED, "Kündigung auf Jahresende: rechnet LEG künftig mit dem eigenen ERP ab"),
        ),
        ((42, C.PHONE, "Kündigungsgespräch; Rückmeldung zur Exportfunktion notiert"),),
    ),
    Story(
        "LINDENEGG-DEMO",
        ((200, S.CONTACTED, ""), (150, S.DEMO, ""), (30, S.TRIAL, "Testphase mit einer LEG in Gründung")),
        next_action=("Zwischenbilanz der Testphase", 5),
    ),
    Story(
        "THURBRUGG-DEMO",
        ((170, S.CONTACTED, ""), (120, S.DEMO, ""), (14, S.TRIAL, "")),
        next_action=("Schulung Abrechnung durchführen", -3),
    ),
    Story(
        "AABACH-DEMO",
        ((120, S.CONTACTED, ""), (25, S.DEMO, "")),
        ((25, C.MEETING, "Demo mit Geschäftsleitung und Netzabrechnung"),),
        next_action=("Offerte senden", -6),
    ),
    Story("SUHRMATT-DEMO", ((90, S.CONTACTED, ""), (10, S.DEMO, "")), next_action=("Demo-Zugang nachfassen", 7)),
    Story(
        "VALMONT-DEMO",
        (
            (160, S.CONTACTED, ""),
            (100, S.DEMO, ""),
            (70, S.CONTACTED, "Demo abgesagt: Personalwechsel"),
            (20, S.DEMO, "Neuer Termin mit der Nachfolgerin"),
        ),
    ),
    Story("BUENZMATT-DEMO", ((45, S.CONTACTED, ""),), next_action=("Termin für Demo vereinbaren", -2)),
    Story("MURGWIL-DEMO", ((30, S.CONTACTED, ""),), ((30, C.EMAIL, "Antwort auf den Newsletter"),)),
    Story(
        "TOESSMATT-DEMO",
        ((60, S.CONTACTED, ""), (40, S.DEMO, ""), (35, S.CONTACTED, "Demo verschoben, neuer Termin offen")),
    ),
    Story("AAREBODEN-DEMO", ((12, S.CONTACTED, ""),), next_action=("Unterlagen zu den LEG-Verträgen schicken", 3)),
    Story(
        "JORAT-DEMO",
        ((210, S.CONTACTED, ""), (170, S.DEMO, ""), (140, S.LOST, "Entscheid für die Lösung des Kantonswerks")),
    ),
    Story("MAGGINA-DEMO", ((150, S.CONTACTED, ""), (110, S.LOST, "Kein Budget vor 2028"))),
    Story(
        "SIMMENAU-DEMO",
        ((260, S.CONTACTED, ""), (220, S.DEMO, ""), (180, S.TRIAL, ""), (150, S.LOST, "Zu wenige Smart Meter")),
    ),
    Story(
        "FRICKTAL-DEMO",
        (
            (330, S.CONTACTED, ""),
            (300, S.LOST, "Kein Interesse an LEG"),
            (50, S.LEAD, "Neue Geschäftsleitung: wieder aufnehmen"),
        ),
    ),
    Story("WIGGERHOF-DEMO", (), ((8, C.EVENT, "Kurzes Gespräch am Regionalanlass"),), ("Erstgespräch vereinbaren", 10)),
)


def _moment(anchor: date, days_before: int) -> datetime:
    """Nine in the morning in Zurich, ``days_before`` days before ``anchor``."""
    return as_utc(datetime.combine(anchor - timedelta(days=days_before), time(9), tzinfo=ZURICH))


FIRST_CALL = "Erstkontakt: LEG-Abrechnung vorgestellt"


@transaction.atomic
def load_demo_pipeline(*, owner=None) -> int:
    """Give each demo utility without a history its story (the untold ones stay untouched leads), worked by
    ``owner`` (a staff user); returns how many got one. Safe to run twice: a utility with any pipeline event is
    left as it is."""
    today = local_today()
    demo = Utility.objects.filter(is_demo=True).exclude(pipeline_events__isnull=False)
    fresh = {utility.short_name: utility for utility in demo}
    Utility.objects.filter(pk__in=[u.pk for u in fresh.values()]).update(created_at=_moment(today, MARKET_KNOWN_DAYS))
    told = 0
    for story in STORIES:
        utility = fresh.get(story.short_name)
        if utility is None:
            continue
        _tell(utility, story, CUSTOMER_ANCHOR if story.short_name == DEMO_CUSTOMER else today, today)
        if owner is not None:  # as the admin's form sets it: the owner has no history of its own
            Utility.objects.filter(pk=utility.pk).update(owner=owner)
        told += 1
    return told


def _first_call(story: Story) -> tuple[tuple[int, str, str], ...]:
    """A story that tells no contact by the day the utility became «kontaktiert» began with a call that day."""
    first = next((days for days, stage, _note in story.moves if stage == S.CONTACTED), None)
    if first is None or any(days >= first for days, _channel, _summary in story.contacts):
        return ()
    return ((first, C.PHONE, FIRST_CALL),)


def _tell(utility: Utility, story: Story, anchor: date, today: date) -> None:
    Utility.objects.filter(pk=utility.pk).update(created_at=_moment(anchor, story.known_days))
    for days, channel, summary in (*_first_call(story), *story.contacts):
        services.utility_contact_record(
            utility=utility, channel=channel, summary=summary, actor=None, door=Door.COMMAND, at=_moment(anchor, days)
        )
    for days, stage, note in story.moves:
        services.utility_stage_move(
            utility=utility, to_stage=stage, actor=None, door=Door.COMMAND, note=note, at=_moment(anchor, days)
        )
    if story.next_action:
        action, due_in = story.next_action
        services.utility_next_action_set(
            utility=utility, action=action, due=today + timedelta(days=due_in), actor=None, door=Door.COMMAND
        )
    services.utility_rescore(utility=utility)
