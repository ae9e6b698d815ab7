import json

import pytest
import responses
from django.urls import reverse

from communities.models import Door, Participant
from documents.models import DocumentKind, SignatureRequest, SignatureRequestState, SignatureState
from documents.services import documents_generate
from tests.documents.test_deepsign import configure
from tests.documents.test_signing import STATUS_URL, mock_send, mock_status, signed_version

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:documents_document_changelist"


@pytest.fixture
def deepsign_on(settings, monkeypatch):
    configure(settings, monkeypatch)


@pytest.fixture
def rsps():
    # The token of the first call is reused later: a second token answer may stay unused.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def generated(community, kind):
    """The first document of ``kind`` (for contracts: the first participant's)."""
    return documents_generate(community=community, kinds=[kind], actor=None, door=Door.COMMAND)[0]


def act(client, url_name, action, pks):
    return client.post(
        reverse(url_name), {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True
    ).content.decode()


def test_sending_the_registration_asks_the_representative_to_sign(staff, sonnenberg, deepsign_on, rsps):
    registration = generated(sonnenberg, DocumentKind.REGISTRATION)
    mock_send(rsps)

    html = act(staff, CHANGELIST, "send_for_signature", [registration.pk])

    assert f"{registration} ist zur Unterschrift versandt." in html
    request = SignatureRequest.objects.get(document=registration)
    assert request.signers == [{"name": "Ammann Sonnenberg AG", "email": "teilnehmer101@example.ch"}]
    signee = json.loads(rsps.calls[2].request.body)
    assert (signee["email"], signee["signOrder"]) == ("teilnehmer101@example.ch", 0)
    registration.refresh_from_db()
    assert registration.signature_state == SignatureState.OUT_FOR_SIGNATURE


def test_the_agreement_goes_to_every_participant_in_customer_number_order(staff, talwil, deepsign_on, rsps):
    agreement = generated(talwil, DocumentKind.AGREEMENT)
    mock_send(rsps)
    for _ in range(8):
        rsps.add(responses.POST, f"{STATUS_URL}/signees", json={})

    act(staff, CHANGELIST, "send_for_signature", [agreement.pk])

    request = SignatureRequest.objects.get(document=agreement)
    assert [s["email"] for s in request.signers] == [f"teilnehmer2{n:02d}@example.ch" for n in range(1, 10)]


def test_a_signer_without_email_stops_the_sending_before_any_call(staff, sonnenberg, deepsign_on, rsps):
    contract = generated(sonnenberg, DocumentKind.CONTRACT)
    Participant.objects.filter(pk=contract.participant_id).update(email="")

    html = act(staff, CHANGELIST, "send_for_signature", [contract.pk])

    assert "Für die Unterschrift fehlt die E-Mail-Adresse von: Ammann Sonnenberg AG." in html
    assert len(rsps.calls) == 0
    assert not SignatureRequest.objects.exists()


def test_without_deepsign_settings_the_console_says_so(staff, sonnenberg, settings):
    settings.DEEPSIGN_CLIENT_ID = ""
    registration = generated(sonnenberg, DocumentKind.REGISTRATION)

    html = act(staff, CHANGELIST, "send_for_signature", [registration.pk])

    assert "DeepSign ist nicht eingerichtet" in html
    registration.refresh_from_db()
    assert registration.signature_state == SignatureState.UNSIGNED


def test_refreshing_from_the_console_stores_the_signed_pdf(staff, sonnenberg, deepsign_on, rsps):
    registration = generated(sonnenberg, DocumentKind.REGISTRATION)
    mock_send(rsps)
    act(staff, CHANGELIST, "send_for_signature", [registration.pk])
    request = SignatureRequest.objects.get(document=registration)
    with registration.file.open("rb") as stored:
        mock_status(rsps, "status-signed", signed=signed_version(stored.read()))

    html = act(staff, "admin:documents_signaturerequest_changelist", "refresh", [request.pk])

    assert f"{registration}: unterzeichnet" in html
    request.refresh_from_db()
    assert request.state == SignatureRequestState.SIGNED
    registration.refresh_from_db()
    assert registration.signature_state == SignatureState.SIGNED


def test_utility_users_cannot_send_documents_for_signature(client, sonnenberg, deepsign_on, rsps):
    from tests.accounts.factories import UtilityUserFactory

    registration = generated(sonnenberg, DocumentKind.REGISTRATION)
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    response = client.post(
        reverse(CHANGELIST), {"action": "send_for_signature", "_selected_action": [str(registration.pk)]}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert len(rsps.calls) == 0
