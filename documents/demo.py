"""The formation of the demo's active communities, as it would have happened: every move through the formation
services on a past day before the community's registration with the VNB, the three LEG documents generated and
signed on paper before the signatures were complete, and the activation on the start date.

Safe to run twice: only a community still in draft without any formation step is walked.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction

from communities.demo import DEMO_COMMUNITIES, DEMO_VNB_NUMBER
from communities.formation import formation_move
from communities.models import Community, Door
from communities.models import CommunityStatus as S
from documents.models import Document, DocumentKind
from documents.paper_signatures import paper_signature_record
from documents.services import FORMATION_KINDS, documents_generate
from openleg.periods import ZURICH, as_utc

# (days before the registration with the VNB, state reached, note); the documents are made the morning they are
# ready, the agreement is signed the day it goes out, the contracts after it and the registration last.
MOVES = (
    (105, S.PARTICIPANTS_COMPLETE, "Alle Teilnehmenden und Messpunkte erfasst"),
    (91, S.ELIGIBLE, ""),
    (77, S.DOCUMENTS_READY, ""),
    (63, S.OUT_FOR_SIGNATURE, "Auf Papier zur Unterschrift verschickt"),
    (14, S.SIGNED, "Alle Unterschriften eingegangen"),
    (0, S.REGISTERED, "Anmeldung beim Netzbetreiber eingereicht"),
)
DOCUMENTS_MADE = 77
AGREEMENT_SIGNED = 63
CONTRACTS_SIGNED = range(60, 24, -3)  # one participant after the other, every third day, then again from the start
REGISTRATION_SIGNED = 20
PAPER_NOTE = "Demo: unterzeichnetes Papier eingescannt"


@dataclass(frozen=True)
class Formation:
    community: Community
    steps: int
    first: date
    signed: int


def _moment(day: date, hour: int = 9) -> datetime:
    return as_utc(datetime.combine(day, time(hour), tzinfo=ZURICH))


def load_demo_formation() -> list[Formation]:
    """Walk every demo community meant to be active, and still a draft without history, through its formation."""
    targets = [spec.slug for spec in DEMO_COMMUNITIES if spec.status == S.ACTIVE]
    pending = Community.objects.filter(
        utility__vnb_number=DEMO_VNB_NUMBER, slug__in=targets, status=S.DRAFT, formation_steps__isnull=True
    ).order_by("pk")
    return [_form(community, shift=4 * position) for position, community in enumerate(pending)]


@transaction.atomic
def _form(community: Community, *, shift: int) -> Formation:
    registered = community.registered_on

    def before(days: int) -> date:
        return registered - timedelta(days=days + shift if days else 0)

    signed = 0
    for days, status, note in MOVES:
        if status == S.DOCUMENTS_READY:
            documents_generate(
                community=community,
                kinds=FORMATION_KINDS,
                actor=None,
                door=Door.COMMAND,
                at=_moment(before(DOCUMENTS_MADE), 8),
            )
        if status == S.OUT_FOR_SIGNATURE:
            signed += _sign(community, DocumentKind.AGREEMENT, [before(AGREEMENT_SIGNED)])
        if status == S.SIGNED:
            signed += _sign(community, DocumentKind.CONTRACT, [before(days) for days in CONTRACTS_SIGNED])
            signed += _sign(community, DocumentKind.REGISTRATION, [before(REGISTRATION_SIGNED)])
        formation_move(
            community=community, to_status=status, actor=None, door=Door.COMMAND, note=note, at=_moment(before(days))
        )
    formation_move(
        community=community,
        to_status=S.ACTIVE,
        actor=None,
        door=Door.COMMAND,
        note="Start der LEG",
        at=_moment(community.start_date, 7),
    )
    return Formation(community=community, steps=len(MOVES) + 1, first=before(MOVES[0][0]), signed=signed)


def _sign(community: Community, kind: str, days: list[date]) -> int:
    """Record the paper signature of every ``kind`` document, the n-th on the n-th day (cycling); the scan is the
    document itself."""
    documents = Document.objects.filter(community=community, kind=kind).order_by("subject", "pk")
    for number, document in enumerate(documents):
        with document.file.open("rb") as stored:
            scan = stored.read()
        paper_signature_record(
            document=document,
            scan=scan,
            signed_on=days[number % len(days)],
            note=PAPER_NOTE,
            actor=None,
            door=Door.COMMAND,
        )
    return len(documents)
