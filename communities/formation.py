"""The formation workflow of a community: its states, the moves allowed between them, the rule each
move must pass, and a history of who moved it when through which door.

draft → participants complete → eligible → documents ready → out for signature → signed →
registered with the VNB → active; rejected and abandoned from any open state (abandoned also ends
an active community). A few steps back are allowed where data or documents must be redone.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from communities.eligibility import eligibility_check
from communities.models import Community, CommunityStatus, Door, FormationStep, ParticipantRole
from communities.selectors import latest_document_versions
from openleg.errors import DomainError
from openleg.history import step_moment
from openleg.periods import local_date, local_today

S = CommunityStatus

_FORWARD = {
    S.DRAFT: [S.PARTICIPANTS_COMPLETE],
    S.PARTICIPANTS_COMPLETE: [S.ELIGIBLE, S.DRAFT],
    S.ELIGIBLE: [S.DOCUMENTS_READY, S.DRAFT],
    S.DOCUMENTS_READY: [S.OUT_FOR_SIGNATURE, S.DRAFT],
    S.OUT_FOR_SIGNATURE: [S.SIGNED, S.DOCUMENTS_READY],
    S.SIGNED: [S.REGISTERED],
    S.REGISTERED: [S.ACTIVE],
    S.ACTIVE: [],
    S.REJECTED: [],
    S.ABANDONED: [],
}
_ENDINGS = (S.REJECTED, S.ABANDONED)


class FormationRefused(DomainError):
    code = "formation_refused"

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or []


def formation_targets(status: str) -> list[str]:
    """The states a community in ``status`` may move to, forward first."""
    status = S(status)
    if status in _ENDINGS:
        return []
    if status == S.ACTIVE:
        return [S.ABANDONED]
    return [*_FORWARD[status], *_ENDINGS]


def formation_move(
    *, community: Community, to_status: str, actor, door: Door | str, note: str = "", at: datetime | None = None
) -> FormationStep:
    """Move the community to ``to_status`` if the workflow allows it and the move's rule passes.

    ``at`` records a move made earlier (a formation taken over from paper, the demo): not in the future, not
    before the community's last step; the start date is then checked against that day.
    """
    to_status = S(to_status)
    with transaction.atomic():
        current = Community.objects.select_for_update().get(pk=community.pk)
        from_status = S(current.status)
        if to_status not in formation_targets(from_status):
            raise FormationRefused(
                _("Von «%(from)s» kann die Gemeinschaft nicht nach «%(to)s» wechseln.")
                % {"from": from_status.label, "to": to_status.label}
            )
        latest = FormationStep.objects.filter(community=current).order_by("-at").values_list("at", flat=True).first()
        moment = step_moment(at, latest=latest)
        on = None if at is None else local_date(moment)
        reasons = formation_obstacles(current, to_status, note, on=on)
        if reasons:
            raise FormationRefused(
                _("Die Gemeinschaft kann nicht nach «%(to)s» wechseln: %(reasons)s")
                % {"to": to_status.label, "reasons": " ".join(reasons)},
                reasons,
            )
        Community.objects.filter(pk=current.pk).update(status=to_status)
        step = FormationStep.objects.create(
            community=current,
            from_status=from_status,
            to_status=to_status,
            actor=recorded_user(actor),
            door=door,
            note=note.strip(),
        )
        if at is not None:  # the field records the moment of writing unless told otherwise
            FormationStep.objects.filter(pk=step.pk).update(at=moment)
            step.at = moment
    community.status = to_status
    return step


def formation_obstacles(community: Community, to_status: str, note: str = "", *, on: date | None = None) -> list[str]:
    """Why the move to ``to_status`` cannot happen on day ``on`` (today by default); empty when it can."""
    check = _GUARDS.get(S(to_status))
    if to_status in _ENDINGS:
        return [] if note.strip() else [_("Bitte eine Begründung angeben.")]
    if to_status == S.ACTIVE:
        return _active(community, on or local_today())
    return check(community) if check else []


def _participants_complete(community: Community) -> list[str]:
    reasons = []
    if community.representative_id is None:
        reasons.append(_("Es ist keine Vertretung der LEG bestimmt."))
    participants = list(community.participants.filter(member_to__isnull=True).prefetch_related("memberships"))
    for participant in participants:
        if not participant.memberships.all():
            reasons.append(
                _("%(name)s (%(number)s) hat keinen Messpunkt.")
                % {"name": participant.display_name, "number": participant.customer_number}
            )
    if not any(p.role in (ParticipantRole.PRODUCER, ParticipantRole.PROSUMER) for p in participants):
        reasons.append(_("Es nimmt niemand mit erneuerbarer Produktion teil."))
    return reasons


def _eligible(community: Community) -> list[str]:
    return [f"{result.title}: {result.explanation}" for result in eligibility_check(community=community).failed]


def _current_participants(community: Community):
    return community.participants.filter(member_to__isnull=True).order_by("customer_number")


def _documents_ready(community: Community) -> list[str]:
    return _missing_documents(community, latest_document_versions(community=community))


def _missing_documents(community: Community, latest: dict) -> list[str]:
    reasons = []
    if ("agreement", "") not in latest:
        reasons.append(_("Die Gemeinschaftsvereinbarung fehlt."))
    if ("registration", "") not in latest:
        reasons.append(_("Die Anmeldung beim Netzbetreiber fehlt."))
    for participant in _current_participants(community):
        if ("contract", f"participant:{participant.pk}") not in latest:
            reasons.append(
                _("Der Teilnehmervertrag für %(name)s (%(number)s) fehlt.")
                % {"name": participant.display_name, "number": participant.customer_number}
            )
    return reasons


def _agreement_sent(community: Community) -> list[str]:
    agreement = latest_document_versions(community=community).get(("agreement", ""))
    if agreement is None or agreement.signature_state not in ("out_for_signature", "signed"):
        return [_("Die Gemeinschaftsvereinbarung ist noch nicht zur Unterschrift versandt.")]
    return []


def _all_signed(community: Community) -> list[str]:
    latest = latest_document_versions(community=community)
    reasons = _missing_documents(community, latest)
    for (kind, _subject), document in latest.items():
        if kind in ("agreement", "contract") and document.signature_state != "signed":
            if kind == "contract" and document.participant and document.participant.member_to is not None:
                continue
            reasons.append(
                _("%(title)s (Version %(version)d) ist noch nicht unterzeichnet.")
                % {"title": _document_title(document), "version": document.version}
            )
    return reasons


def _document_title(document) -> str:
    if document.kind == "agreement":
        return _("Die Gemeinschaftsvereinbarung")
    return _("Der Teilnehmervertrag für %(name)s") % {"name": document.participant.display_name}


def _registered(community: Community) -> list[str]:
    reasons = []
    if community.registered_on is None:
        reasons.append(_("Das Datum der Anmeldung beim Netzbetreiber ist nicht erfasst."))
    return reasons + _eligible(community)


def _active(community: Community, on: date) -> list[str]:
    if community.start_date is None:
        return [_("Es ist noch kein Startdatum erfasst.")]
    if on < community.start_date:
        return [
            _("Die Gemeinschaft startet erst am %(date)s.")
            % {"date": date_format(community.start_date, "SHORT_DATE_FORMAT")}
        ]
    return []


_GUARDS: dict[str, Callable[[Community], list[str]]] = {
    S.PARTICIPANTS_COMPLETE: _participants_complete,
    S.ELIGIBLE: _eligible,
    S.DOCUMENTS_READY: _documents_ready,
    S.OUT_FOR_SIGNATURE: _agreement_sent,
    S.SIGNED: _all_signed,
    S.REGISTERED: _registered,
}
