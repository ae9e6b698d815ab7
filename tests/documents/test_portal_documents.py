"""The formation documents in the portal: generated, sent to DeepSign (its HTTP replaced by recorded answers),
withdrawn and signed on paper by the utility's LEG desk, through the documents services with door "portal"."""

from datetime import timedelta

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import AuditEntry, Door
from documents.models import Document, DocumentKind, PaperSignature, SignatureRequest, SignatureState
from documents.services import FORMATION_KINDS, documents_generate
from openleg.formats import format_day
from openleg.periods import local_today
from tests.accounts.factories import UtilityUserFactory
from tests.documents.test_deepsign import configure
from tests.documents.test_signing import STATUS_URL, add_token, mock_send

pytestmark = pytest.mark.django_db
SCAN = b"%PDF-1.7 unterzeichnet"


@pytest.fixture
def desk(client, sonnenberg):
    user = UtilityUserFactory(utility=sonnenberg.utility, portal_role="desk")
    client.force_login(user)
    return user


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def deepsign_on(settings, monkeypatch):
    configure(settings, monkeypatch)


@pytest.fixture
def deepsign_off(settings):
    settings.DEEPSIGN_CLIENT_ID = ""


def generated(community, kind=DocumentKind.REGISTRATION) -> Document:
    return documents_generate(community=community, kinds=[kind], actor=None, door=Door.COMMAND)[0]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def formation_url(community) -> str:
    return reverse("portal:formation", args=[community.pk])


def document_audit() -> list[tuple]:
    return [
        (entry.actor, entry.door, entry.changes)
        for entry in AuditEntry.objects.filter(model="documents.Document").order_by("pk")
    ]


def test_generating_makes_the_three_kinds_with_door_portal(
    client, desk, sonnenberg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:formation-documents", args=[sonnenberg.pk]), follow=True)

    documents = Document.objects.filter(community=sonnenberg)
    contracts = sonnenberg.participants.filter(member_to__isnull=True).count()
    assert sorted({(d.kind, d.door, d.created_by, d.version) for d in documents}) == [
        ("agreement", "portal", desk, 1),
        ("contract", "portal", desk, 1),
        ("registration", "portal", desk, 1),
    ]
    assert documents.count() == 2 + contracts
    assert response.redirect_chain == [(formation_url(sonnenberg) + "#dokumente", 302)]
    assert messages_of(response) == [
        "Die Dokumente werden erstellt; neue Versionen erscheinen hier, sobald sie bereit sind."
    ]
    html = client.get(formation_url(sonnenberg)).content.decode()  # the documents come after the commit
    registration = documents.get(kind="registration")
    assert reverse("portal_documents:download", args=[registration.pk]) in html


def test_generating_twice_keeps_the_versions(client, desk, sonnenberg, django_capture_on_commit_callbacks):
    url = reverse("portal:formation-documents", args=[sonnenberg.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    count = Document.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)

    assert Document.objects.count() == count
    assert set(Document.objects.values_list("version", flat=True)) == {1}


def test_a_paper_signature_is_recorded_with_its_scan(client, desk, sonnenberg):
    registration = generated(sonnenberg)
    url = reverse("portal:document-paper", args=[sonnenberg.pk, registration.pk])
    today = local_today()

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {"scan": SimpleUploadedFile("scan.pdf", SCAN), "signed_on": today.isoformat(), "note": "Original im Ordner"},
        follow=True,
    )

    assert 'for="id_scan"' in form and 'for="id_signed_on"' in form
    registration.refresh_from_db()
    paper = PaperSignature.objects.get(document=registration)
    assert (registration.signature_state, paper.signed_on, paper.recorded_by, paper.door, paper.note) == (
        "signed",
        today,
        desk,
        "portal",
        "Original im Ordner",
    )
    assert document_audit() == [(desk, "portal", {"signature_state": ["unsigned", "signed"]})]
    assert messages_of(response) == [f"«{registration.title}» ist als auf Papier unterzeichnet erfasst."]


def test_a_second_paper_signature_is_refused_with_the_services_words(client, desk, sonnenberg):
    registration = generated(sonnenberg)
    url = reverse("portal:document-paper", args=[sonnenberg.pk, registration.pk])
    data = {"signed_on": local_today().isoformat(), "note": ""}
    client.post(url, {**data, "scan": SimpleUploadedFile("scan.pdf", SCAN)})

    again = client.post(url, {**data, "scan": SimpleUploadedFile("scan.pdf", SCAN)})

    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == ["Dieses Dokument ist bereits unterzeichnet."]
    assert PaperSignature.objects.count() == 1


def test_a_scan_that_is_no_pdf_or_a_day_in_the_future_is_refused(client, desk, sonnenberg):
    registration = generated(sonnenberg)
    url = reverse("portal:document-paper", args=[sonnenberg.pk, registration.pk])
    future = local_today() + timedelta(days=1)

    no_pdf = client.post(url, {"scan": SimpleUploadedFile("scan.png", b"PNG"), "signed_on": local_today()})
    later = client.post(url, {"scan": SimpleUploadedFile("scan.pdf", SCAN), "signed_on": future.isoformat()})

    assert no_pdf.context["form"].non_field_errors() == ["Die Datei ist kein PDF."]
    assert later.context["form"].non_field_errors() == [
        f"Das Unterschriftsdatum {format_day(future)} liegt in der Zukunft."
    ]
    assert not PaperSignature.objects.exists()


def test_sending_to_deepsign_asks_the_representative_and_records_door_portal(
    client, desk, sonnenberg, deepsign_on, rsps
):
    registration = generated(sonnenberg)
    mock_send(rsps)

    response = client.post(reverse("portal:document-send", args=[sonnenberg.pk, registration.pk]), follow=True)

    assert messages_of(response) == [f"{registration.title} ist zur Unterschrift versandt."]
    request = SignatureRequest.objects.get(document=registration)
    assert (request.signers, request.requested_by) == (
        [{"name": "Ammann Sonnenberg AG", "email": "teilnehmer101@example.ch"}],
        desk,
    )
    assert document_audit() == [(desk, "portal", {"signature_state": ["unsigned", "out_for_signature"]})]
    html = response.content.decode()
    assert reverse("portal:document-withdraw", args=[sonnenberg.pk, registration.pk]) in html


def test_sending_twice_sends_once(client, desk, sonnenberg, deepsign_on, rsps):
    registration = generated(sonnenberg)
    mock_send(rsps)
    url = reverse("portal:document-send", args=[sonnenberg.pk, registration.pk])
    client.post(url, follow=True)

    again = client.post(url, follow=True)

    assert messages_of(again) == [f"{registration.title}: Dieses Dokument ist bereits zur Unterzeichnung versandt."]
    assert len([call for call in rsps.calls if call.request.url.endswith("/start")]) == 1


def test_withdrawing_tells_deepsign_with_door_portal(client, desk, sonnenberg, deepsign_on, rsps):
    registration = generated(sonnenberg)
    mock_send(rsps)
    client.post(reverse("portal:document-send", args=[sonnenberg.pk, registration.pk]), follow=True)
    add_token(rsps)
    rsps.add(responses.PUT, f"{STATUS_URL}/withdraw", status=204)

    response = client.post(reverse("portal:document-withdraw", args=[sonnenberg.pk, registration.pk]), follow=True)

    assert messages_of(response) == [f"{registration.title}: zurückgezogen."]
    registration.refresh_from_db()
    assert registration.signature_state == SignatureState.WITHDRAWN
    assert document_audit()[-1] == (desk, "portal", {"signature_state": ["out_for_signature", "withdrawn"]})


def test_withdrawing_a_document_never_sent_is_a_message(client, desk, sonnenberg, deepsign_on):
    registration = generated(sonnenberg)

    response = client.post(reverse("portal:document-withdraw", args=[sonnenberg.pk, registration.pk]), follow=True)

    assert messages_of(response) == [
        f"{registration.title}: Nur laufende Unterschriftsanfragen können zurückgezogen werden."
    ]


def test_without_deepsign_the_page_says_so_and_offers_paper_only(client, desk, sonnenberg, deepsign_off):
    registration = generated(sonnenberg)

    html = client.get(formation_url(sonnenberg)).content.decode()
    sent = client.post(reverse("portal:document-send", args=[sonnenberg.pk, registration.pk]), follow=True)

    assert "Die elektronische Unterschrift (DeepSign) ist nicht eingerichtet" in html
    assert "Zur Unterschrift senden" not in html
    assert reverse("portal:document-paper", args=[sonnenberg.pk, registration.pk]) in html
    assert messages_of(sent) == [
        f"{registration.title}: DeepSign ist nicht eingerichtet: es fehlen DEEPSIGN_CLIENT_ID, "
        "DEEPSIGN_CLIENT_SECRET, DEEPSIGN_USERNAME, DEEPSIGN_PASSWORD, DEEPSIGN_COMPANY_ID, OPENLEG_PUBLIC_URL."
    ]


def test_with_deepsign_the_page_offers_sending(client, desk, sonnenberg, deepsign_on):
    generated(sonnenberg)

    html = client.get(formation_url(sonnenberg)).content.decode()

    assert "Zur Unterschrift senden" in html
    assert "nicht eingerichtet" not in html


def test_a_viewer_sees_the_documents_but_may_not_act(client, sonnenberg, deepsign_on):
    registration = generated(sonnenberg)
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility, portal_role="viewer"))
    urls = [
        reverse("portal:formation-documents", args=[sonnenberg.pk]),
        reverse("portal:document-send", args=[sonnenberg.pk, registration.pk]),
        reverse("portal:document-withdraw", args=[sonnenberg.pk, registration.pk]),
        reverse("portal:document-paper", args=[sonnenberg.pk, registration.pk]),
    ]

    html = client.get(formation_url(sonnenberg)).content.decode()
    answers = [client.post(url, {"signed_on": "2026-01-01"}).status_code for url in urls]

    assert reverse("portal_documents:download", args=[registration.pk]) in html
    assert "Zur Unterschrift senden" not in html and "Gründungsdokumente erstellen" not in html
    assert answers == [403, 403, 403, 403]
    assert client.get(urls[3]).status_code == 403


def test_another_communitys_document_is_not_found(client, desk, sonnenberg, talwil):
    foreign = generated(talwil)  # same demo utility, other community: still not in this community's URLs
    urls = [
        reverse("portal:document-send", args=[sonnenberg.pk, foreign.pk]),
        reverse("portal:document-withdraw", args=[sonnenberg.pk, foreign.pk]),
        reverse("portal:document-paper", args=[sonnenberg.pk, foreign.pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert [client.post(url).status_code for url in urls] == [404, 404, 404]
    foreign.refresh_from_db()
    assert foreign.signature_state == SignatureState.UNSIGNED


@pytest.mark.parametrize("participants", [3, 9])
def test_the_formation_page_with_documents_takes_a_fixed_number_of_queries(
    client, desk, demo_communities, participants, django_assert_num_queries
):
    community = {3: demo_communities["sonnenberg-dorf"], 9: demo_communities["talwil-gewerbe"]}[participants]
    documents_generate(community=community, kinds=FORMATION_KINDS, actor=None, door="command")

    with django_assert_num_queries(11):
        assert client.get(formation_url(community)).status_code == 200
