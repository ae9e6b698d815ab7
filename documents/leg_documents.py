"""The three LEG documents as HTML, built from what OpenLEG holds: the community agreement
(Gemeinschaftsvereinbarung), one contract per participant (Teilnehmervertrag) and the registration
with the distribution utility (Anmeldung beim VNB). Content: domain A2, A3, A6, A7.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from billing.invoicing import PAYMENT_DAYS
from billing.models import AllocationMethod, AllocationSetting
from communities.eligibility import RENEWABLE_ROLES, capacities
from communities.models import Community, Membership, Participant, Tariff
from communities.selectors import members_on_or_after
from documents.models import DocumentKind, SignatureState
from documents.templating import render_document_html, require

LEGAL_BASIS = "StromVG Art. 17d und 17e, StromVV Art. 19e–19h"


@dataclass
class DocumentDraft:
    """A document ready to be rendered to PDF and recorded."""

    kind: str
    subject: str
    title: str
    filename: str
    html: str
    participant: Participant | None = None
    signature_state: str = SignatureState.UNSIGNED


@dataclass
class Member:
    participant: Participant
    memberships: list[Membership] = field(default_factory=list)

    @property
    def points(self):
        return [membership.metering_point for membership in self.memberships]

    @property
    def counts_production(self) -> bool:
        """Whether this member's kWp count towards the community's renewable capacity (eligibility.capacities):
        a consumer's recorded kWp do not, so the registration shows none for it and its column adds up."""
        return self.participant.role in RENEWABLE_ROLES


@dataclass
class Basis:
    """What every LEG document of one community says, read once."""

    community: Community
    start: date
    members: list[Member]
    tariff: Tariff | None
    allocation: AllocationSetting | None
    capacities: object

    @property
    def representative(self) -> Participant | None:
        return self.community.representative


def basis_of(community: Community) -> Basis:
    start = community.start_date
    memberships = members_on_or_after(community=community, day=start) if start else []
    members: dict[int, Member] = {}
    for membership in sorted(memberships, key=lambda m: (m.participant.customer_number, m.metering_point.mp_id)):
        members.setdefault(membership.participant_id, Member(membership.participant)).memberships.append(membership)
    return Basis(
        community=community,
        start=start,
        members=list(members.values()),
        tariff=_tariff_from(community, start) if start else None,
        allocation=_allocation_from(community, start) if start else None,
        capacities=capacities(memberships),
    )


def _tariff_from(community: Community, day: date) -> Tariff | None:
    """The tariff in force on ``day``, or else the first one that starts later."""
    tariffs = Tariff.objects.filter(community=community)
    in_force = tariffs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
    return in_force.first() or tariffs.filter(valid_from__gt=day).order_by("valid_from").first()


def _allocation_from(community: Community, day: date) -> AllocationSetting | None:
    """The allocation setting in force on ``day`` (the last one to start by then), or else the first later one."""
    settings = AllocationSetting.objects.filter(community=community)
    return (
        settings.filter(effective_from__lte=day).order_by("-effective_from").first()
        or settings.filter(effective_from__gt=day).order_by("effective_from").first()
    )


def _common_requirements(basis: Basis) -> dict[str, object]:
    return {
        _("Startdatum der LEG"): basis.start,
        _("Vertretung der LEG"): basis.representative,
        _("Teilnehmende mit Messpunkten ab Start"): basis.members,
    }


def _allocation_context(basis: Basis) -> dict:
    setting = basis.allocation
    method = AllocationMethod(setting.method) if setting else AllocationMethod.PROPORTIONAL
    keys = []
    if setting:
        keys = list(setting.keys.select_related("participant").order_by("rank", "participant__customer_number"))
    return {"method": method, "method_label": method.label, "keys": keys}


def _context(basis: Basis, **extra) -> dict:
    return {
        "community": basis.community,
        "utility": basis.community.utility,
        "municipality": basis.community.municipality,
        "start": basis.start,
        "representative": basis.representative,
        "members": basis.members,
        "tariff": basis.tariff,
        "windows": list(basis.tariff.windows.order_by("start_time")) if basis.tariff else [],
        "fees": list(basis.tariff.fees.order_by("label")) if basis.tariff else [],
        "allocation": _allocation_context(basis),
        "capacities": basis.capacities,
        "payment_days": PAYMENT_DAYS,
        "legal_basis": LEGAL_BASIS,
        **extra,
    }


def _community_document(basis: Basis, *, kind: str, title: str, filename: str, signers, needs: dict) -> DocumentDraft:
    """A document of the whole community (no participant of its own): checked, rendered, named."""
    require(title, {**_common_requirements(basis), **needs})
    context = _context(basis, title=title, signers=signers)
    html = render_document_html(f"documents/{kind}.html", context, document=title)
    return DocumentDraft(
        kind=kind,
        subject="",
        title=f"{title} {basis.community.name}",
        filename=f"{filename}-{slugify(basis.community.name)}",
        html=html,
    )


def agreement_draft(basis: Basis) -> DocumentDraft:
    return _community_document(
        basis,
        kind=DocumentKind.AGREEMENT,
        title=_("Gemeinschaftsvereinbarung"),
        filename="gemeinschaftsvereinbarung",
        signers=[member.participant for member in basis.members],
        needs={_("Tarif (interne Preise) ab Start"): basis.tariff},
    )


def contract_drafts(basis: Basis) -> list[DocumentDraft]:
    title = _("Teilnehmervertrag")
    require(title, {**_common_requirements(basis), _("Tarif (interne Preise) ab Start"): basis.tariff})
    drafts = []
    for member in basis.members:
        participant = member.participant
        begins = max(basis.start, min(m.valid_from for m in member.memberships))
        html = render_document_html(
            "documents/contract.html",
            _context(
                basis,
                title=title,
                member=member,
                participant=participant,
                begins=begins,
                signers=_distinct([participant, basis.representative]),
            ),
            document=f"{title} {participant.display_name}",
        )
        drafts.append(
            DocumentDraft(
                kind=DocumentKind.CONTRACT,
                subject=f"participant:{participant.pk}",
                title=f"{title} {participant.display_name}",
                filename=f"teilnehmervertrag-{participant.customer_number}",
                html=html,
                participant=participant,
            )
        )
    return drafts


def _distinct(parties: list[Participant]) -> list[Participant]:
    return list(dict.fromkeys(parties))


def registration_draft(basis: Basis) -> DocumentDraft:
    return _community_document(
        basis,
        kind=DocumentKind.REGISTRATION,
        title=_("Anmeldung einer LEG beim Netzbetreiber"),
        filename="anmeldung-vnb",
        signers=[basis.representative],
        needs={},
    )
