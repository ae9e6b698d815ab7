"""The outbox page of a run as staff: send behind a confirmation, failed with reason, resend one, print."""

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from billing.services import billing_run_approve, billing_run_start
from communities.models import Participant
from documents.models import Dispatch, DispatchStatus
from tests.accounts.factories import UtilityUserFactory
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"


@pytest.fixture
def run(march_community, staff_user, django_capture_on_commit_callbacks):  # noqa: F811
    march_community.iban = IBAN
    march_community.save()
    for number in ("M1", "M2", "M4"):
        Participant.objects.filter(community=march_community, customer_number=number).update(
            email=f"{number.lower()}@example.ch"
        )
    run = billing_run_start(community=march_community, year=2026, month=3)
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_approve(run=run, actor=staff_user)
    return run


def url(name, *args) -> str:
    return reverse(f"admin:documents_dispatch_{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def test_sending_asks_for_confirmation_then_sends(staff, run, django_capture_on_commit_callbacks):
    outbox = text(staff.get(url("outbox", run.pk)))
    assert "Versenden (3 E-Mails)" in outbox

    confirm = text(staff.get(url("send", run.pk)))
    assert (
        "Es werden 3 E-Mails mit dem PDF versandt; 2 Belege ohne E-Mail-Adresse werden zum Ausdrucken vorgemerkt; "
        "0 Belege sind bereits im Postausgang und werden nicht nochmals versandt."
    ) in confirm
    assert Dispatch.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url("send", run.pk), follow=True)

    assert (
        "3 E-Mails sind zum Versand eingereiht; 2 Belege ohne E-Mail-Adresse sind zum Ausdrucken vorgemerkt."
        in text(response)
    )
    assert len(django_mail.outbox) == 3
    page = text(staff.get(url("outbox", run.pk)))
    assert "m1@example.ch" in page
    assert url("print", run.pk) in page
    assert "Versenden (" not in page

    printed = staff.get(url("print", run.pk))
    assert printed["Content-Type"] == "application/pdf"
    assert printed["Content-Disposition"] == f'attachment; filename="Ausdrucken-{run.community_id}-2026-03.pdf"'
    assert printed.content.startswith(b"%PDF-")


def test_failed_dispatches_show_their_reason_and_are_retried(staff, run, django_capture_on_commit_callbacks):
    staff.post(url("send", run.pk))  # queued after a commit that never comes
    Dispatch.objects.filter(status=DispatchStatus.PENDING).update(
        status=DispatchStatus.FAILED, attempts=5, last_error="Versuch 5 von 5: Der Mailserver antwortete 451 belegt"
    )

    page = text(staff.get(url("outbox", run.pk)))
    assert page.count("Versuch 5 von 5: Der Mailserver antwortete 451 belegt") == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url("retry", run.pk), follow=True)

    assert "3 fehlgeschlagene E-Mails sind erneut eingereiht." in text(response)
    assert Dispatch.objects.filter(status=DispatchStatus.SENT).count() == 3


def test_one_dispatch_is_resent_only_when_asked(staff, staff_user, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url("send", run.pk))
    first = Dispatch.objects.get(recipient_email="m1@example.ch")

    confirm = text(staff.get(url("resend", first.pk)))
    assert "Soll der Beleg nochmals an m1@example.ch gesendet werden?" in confirm
    assert Dispatch.objects.count() == 5

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url("resend", first.pk), follow=True)

    assert f"{first.invoice} wird erneut an m1@example.ch gesendet." in text(response)
    again = Dispatch.objects.get(resend_of=first)
    assert (again.status, again.created_by, again.door) == ("sent", staff_user, "admin")
    assert len(django_mail.outbox) == 4


def test_the_outbox_is_for_staff_only(client, run):
    client.force_login(UtilityUserFactory(utility=run.community.utility))

    assert client.get(url("outbox", run.pk)).status_code == 302
    assert client.post(url("send", run.pk)).status_code == 302
    assert Dispatch.objects.count() == 0


def test_a_participant_without_address_who_gives_one_later_can_be_sent_to(
    staff, run, django_capture_on_commit_callbacks
):
    staff.post(url("send", run.pk))
    missing = Dispatch.objects.get(status=DispatchStatus.NOT_SENDABLE, invoice__participant__customer_number="M3")
    Participant.objects.filter(pk=missing.invoice.participant_id).update(email="m3@example.ch")

    page = text(staff.get(url("outbox", run.pk)))
    assert "jetzt an m3@example.ch senden" in page
    assert url("resend", missing.pk) in page

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url("resend", missing.pk))

    assert [m.to for m in django_mail.outbox] == [["m3@example.ch"]]
    assert "jetzt an m3@example.ch senden" not in text(staff.get(url("outbox", run.pk)))
