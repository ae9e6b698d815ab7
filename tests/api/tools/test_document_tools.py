import hashlib
import time
from decimal import Decimal

import pytest

from api.errors import ApiError
from api.models import AgentCall, AgentJob
from communities.demo import load_demo_master_data
from communities.models import Community, Tariff
from documents.models import Document
from tests.api.tools.conftest import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonnenberg(db):
    load_demo_master_data()
    return Community.objects.get(slug="sonnenberg-dorf")


def generate(token, arguments, capture):
    with capture(execute=True):
        answer = call(token, "generate_leg_document", arguments)
    return answer, AgentJob.objects.get(pk=answer.data["job"])


def test_the_agreement_is_generated_by_the_job_with_the_agent_door(
    staff_token, sonnenberg, django_capture_on_commit_callbacks
):
    answer, job = generate(
        staff_token, {"community": sonnenberg.pk, "kind": "agreement"}, django_capture_on_commit_callbacks
    )

    assert (answer.status, answer.data["state"]) == (202, "pending")
    document = Document.objects.get()
    assert (document.kind, document.version, document.door, document.created_by) == ("agreement", 1, "agent", None)
    assert document.sha256 == hashlib.sha256(document.file.open("rb").read()).hexdigest()
    assert job.state == "done"
    [row] = job.result["documents"]
    assert job.result["community"] == sonnenberg.pk and job.result["kind"] == "agreement"
    assert {key: value for key, value in row.items() if key != "download_url"} == {
        "id": document.pk,
        "kind": "agreement",
        "subject": "",
        "participant": None,
        "title": document.title,
        "version": 1,
        "sha256": document.sha256,
        "size_bytes": document.size_bytes,
        "signature_state": "unsigned",
        "created_at": document.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert row["download_url"].startswith(f"/api/agent/v1/downloads/document:{document.pk}:")
    assert AgentCall.objects.get().touched == [f"community:{sonnenberg.pk}", f"job:{job.pk}"]


def test_one_participants_contract(staff_token, sonnenberg, django_capture_on_commit_callbacks):
    participant = sonnenberg.participants.get(customer_number="10001")

    _answer, job = generate(
        staff_token,
        {"community": sonnenberg.pk, "kind": "contract", "participant": participant.pk},
        django_capture_on_commit_callbacks,
    )

    assert [(row["kind"], row["participant"], row["subject"]) for row in job.result["documents"]] == [
        ("contract", participant.pk, f"participant:{participant.pk}")
    ]


def test_a_participant_of_another_community_is_not_found(staff_token, sonnenberg):
    stranger = Community.objects.get(slug="talwil-gewerbe").participants.first()
    with pytest.raises(ApiError) as refused:
        call(
            staff_token,
            "generate_leg_document",
            {"community": sonnenberg.pk, "kind": "contract", "participant": stranger.pk},
        )
    assert (refused.value.status, refused.value.code, refused.value.details) == (
        404,
        "not_found",
        {"object": "Teilnehmende", "key": str(stranger.pk)},
    )


def test_a_participant_belongs_only_to_a_contract(staff_token, sonnenberg):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "generate_leg_document", {"community": sonnenberg.pk, "kind": "agreement", "participant": 1})
    assert refused.value.details == {"fields": {"participant": ["Eine teilnehmende Person gibt es nur beim Vertrag."]}}


def test_missing_master_data_is_refused_at_once(staff_token, sonnenberg):
    Tariff.objects.filter(community=sonnenberg).delete()

    with pytest.raises(ApiError) as refused:
        call(staff_token, "generate_leg_document", {"community": sonnenberg.pk, "kind": "agreement"})

    assert (refused.value.status, refused.value.code) == (409, "document_data_missing")
    assert refused.value.message.startswith("Gemeinschaftsvereinbarung kann nicht erstellt werden, es fehlt: ")
    assert (AgentJob.objects.count(), Document.objects.count()) == (0, 0)


def test_invoice_pdfs_without_invoices_are_refused(staff_token, sonnenberg):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "generate_leg_document", {"community": sonnenberg.pk, "kind": "invoices"})
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        409,
        "no_invoices",
        f"Die Gemeinschaft «{sonnenberg.name}» hat keine Rechnungen, Gutschriften oder Stornos: es gibt keine "
        "Rechnungs-PDFs zu erstellen.",
    )


def test_list_documents_shows_every_version_newest_first(staff_token, sonnenberg, django_capture_on_commit_callbacks):
    generate(staff_token, {"community": sonnenberg.pk, "kind": "agreement"}, django_capture_on_commit_callbacks)
    Tariff.objects.filter(community=sonnenberg).update(consumer_price_rp_kwh=Decimal("19.0000"))
    generate(staff_token, {"community": sonnenberg.pk, "kind": "agreement"}, django_capture_on_commit_callbacks)

    answer = call(staff_token, "list_documents", {"community": sonnenberg.pk})

    second, first = Document.objects.order_by("-version")
    assert answer.data["community"] == sonnenberg.pk
    assert [(row["id"], row["version"], row["current"], row["sha256"]) for row in answer.data["documents"]] == [
        (second.pk, 2, True, second.sha256),
        (first.pk, 1, False, first.sha256),
    ]


@pytest.mark.urls("tests.api.tools.urls")
def test_a_download_link_streams_the_pdf(staff_token, sonnenberg, client, django_capture_on_commit_callbacks):
    _answer, job = generate(
        staff_token, {"community": sonnenberg.pk, "kind": "registration"}, django_capture_on_commit_callbacks
    )
    document = Document.objects.get()

    response = client.get(job.result["documents"][0]["download_url"])

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response.streaming_content) == document.file.open("rb").read()


@pytest.mark.urls("tests.api.tools.urls")
def test_a_tampered_link_is_403_and_an_old_one_410(staff_token, sonnenberg, client, monkeypatch):
    from api.agent.downloads import download_url

    fresh = download_url("document", 5)
    tampered = fresh.replace("document:5:", "document:6:")
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now - 901)
    old = download_url("document", 5)
    monkeypatch.undo()

    refused = client.get(tampered)
    expired = client.get(old)

    assert (refused.status_code, refused.json()) == (
        403,
        {"error": {"code": "download_invalid", "message": "Dieser Download-Link ist ungültig.", "details": {}}},
    )
    assert (expired.status_code, expired.json()) == (
        410,
        {
            "error": {
                "code": "download_expired",
                "message": "Dieser Download-Link ist abgelaufen; bitte einen neuen holen.",
                "details": {},
            }
        },
    )


@pytest.mark.urls("tests.api.tools.urls")
def test_invoice_pdfs_are_rendered_by_the_job_and_downloadable(
    staff_token, march_community, client, django_capture_on_commit_callbacks
):
    from billing.models import Invoice
    from billing.services import billing_run_approve, billing_run_start
    from tests.accounts.factories import StaffUserFactory

    run = billing_run_start(community=march_community, year=2026, month=3)
    billing_run_approve(run=run, actor=StaffUserFactory(), reason="Test")  # queues its PDFs only after commit
    invoices = list(Invoice.objects.filter(run=run).order_by("number"))
    assert len(invoices) == 5  # three consumers, a prosumer, a producer

    _answer, job = generate(
        staff_token, {"community": march_community.pk, "kind": "invoices"}, django_capture_on_commit_callbacks
    )

    assert job.state == "done", job.error
    rows = job.result["invoice_pdfs"]
    assert [(row["invoice"], row["number"], row["kind"], row["customer_number"]) for row in rows] == [
        (invoice.pk, invoice.display_number, invoice.kind, invoice.customer_number) for invoice in invoices
    ]
    first = Invoice.objects.select_related("pdf").get(pk=rows[0]["invoice"]).pdf
    assert (rows[0]["pdf"], rows[0]["sha256"], rows[0]["size_bytes"]) == (first.pk, first.sha256, first.size_bytes)
    response = client.get(rows[0]["download_url"])
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert (content[:5], len(content)) == (b"%PDF-", first.size_bytes)
