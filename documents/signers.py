"""Who signs which document: every participant the agreement, participant and representative a
contract, the representative the registration. Everyone needs an e-mail address for DeepSign."""

from django.utils.translation import gettext as _

from communities.models import Participant
from communities.selectors import members_on_or_after
from documents.models import Document, DocumentKind
from documents.signing import SignatureRefused
from openleg.periods import local_today


def _parties(document: Document) -> list[Participant]:
    community = document.community
    if document.kind == DocumentKind.AGREEMENT:
        memberships = members_on_or_after(community=community, day=community.start_date or local_today())
        return sorted({m.participant for m in memberships}, key=lambda p: p.customer_number)
    if document.kind == DocumentKind.CONTRACT:
        return list(dict.fromkeys([document.participant, community.representative]))
    return [community.representative]


def signers_for(document: Document) -> list[dict]:
    parties = [party for party in _parties(document) if party is not None]
    if not parties:
        raise SignatureRefused(_("Für %(document)s ist niemand zum Unterschreiben bestimmt.") % {"document": document})
    without_email = [party.display_name for party in parties if not party.email]
    if without_email:
        raise SignatureRefused(
            _("Für die Unterschrift fehlt die E-Mail-Adresse von: %(names)s.") % {"names": ", ".join(without_email)}
        )
    return [{"name": party.display_name, "email": party.email} for party in parties]
