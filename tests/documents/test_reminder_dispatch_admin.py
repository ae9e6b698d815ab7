"""An approved reminder list in the staff console: each reminder's PDF and sending, and the list's outbox."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from communities.models import Door, Participant
from documents.models import Dispatch, DispatchStatus
from payments.reminders import reminder_run_approve, reminder_run_propose
from tests.accounts.factories import UtilityUserFactory
from tests.billing.conftest import march_community  # noqa: F401
from tests.payments.test_reminders import due_day, issued  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(issued):  # noqa: F811
    community = issued.community
    for number, email in {"M1": "m1@example.ch", "M2": "m2@example.ch"}.items():
        Participant.objects.filter(community=community, customer_number=number).update(email=email)
    return reminder_run_propose(
        community=community, as_of=due_day(issued) + timedelta(days=10), actor=None, door="admin"
    )


@pytest.fixture
def approved(proposed, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run_approve(run=proposed, actor=staff_user, door=Door.ADMIN)
    return proposed


def outbox_url(name, run) -> str:
    return reverse(f"admin:documents_dispatch_reminder_{name}", args=[run.pk])


def text(response) -> str:
    return response.content.decode()


def test_the_approved_list_shows_each_reminders_pdf_and_sending_and_links_its_outbox(staff, approved):
    page = text(staff.get(reverse("admin:payments_reminderrun_change", args=[approved.pk])))

    reminders = list(approved.reminders.order_by("invoice__number"))
    for reminder in reminders:
        assert reverse("admin:documents_dispatch_reminder_pdf", args=[reminder.pk]) in page
    assert page.count("gesendet (m1@example.ch)") == 1
    assert page.count("gesendet (m2@example.ch)") == 1
    assert page.count("<td>keine E-Mail-Adresse</td>") == 1
    assert outbox_url("outbox", approved) in page
    # sent by a task, but set off by the approval in the admin: the outbox names that door
    assert set(Dispatch.objects.values_list("door", flat=True)) == {"admin"}

    first = reminders[0]
    download = staff.get(reverse("admin:documents_dispatch_reminder_pdf", args=[first.pk]))
    assert download["Content-Disposition"] == (
        f'attachment; filename="Zahlungserinnerung-{first.invoice.display_number}.pdf"'
    )
    with first.pdf.open("rb") as stored:
        assert b"".join(download.streaming_content) == stored.read()


def test_a_draft_list_shows_no_sending_yet(staff, proposed):
    page = text(staff.get(reverse("admin:payments_reminderrun_change", args=[proposed.pk])))
    assert outbox_url("outbox", proposed) not in page
    assert "noch nicht im Postausgang" not in page


def test_the_lists_outbox_counts_prints_retries_and_resends(
    staff, staff_user, approved, django_capture_on_commit_callbacks
):
    Dispatch.objects.filter(recipient_email="m2@example.ch").update(
        status=DispatchStatus.FAILED, attempts=5, last_error="Versuch 5 von 5: Der Mailserver antwortete 451 belegt"
    )
    page = text(staff.get(outbox_url("outbox", approved)))

    assert f"Postausgang: {approved}" in page
    assert "PDF: 3 von 3 erstellt" in page
    assert page.count("Versuch 5 von 5: Der Mailserver antwortete 451 belegt") == 1
    assert outbox_url("print", approved) in page
    assert reverse("admin:payments_reminderrun_change", args=[approved.pk]) in page  # the breadcrumb back

    printed = staff.get(outbox_url("print", approved))
    assert printed["Content-Disposition"] == (
        f'attachment; filename="Ausdrucken-Mahnungen-{approved.community_id}-{approved.as_of:%Y-%m-%d}.pdf"'
    )
    assert printed.content.startswith(b"%PDF-")

    with django_capture_on_commit_callbacks(execute=True):
        retried = text(staff.post(outbox_url("retry", approved), follow=True))
    assert "1 fehlgeschlagene E-Mails sind erneut eingereiht." in retried
    assert [m.to for m in django_mail.outbox] == [["m1@example.ch"], ["m2@example.ch"], ["m2@example.ch"]]

    first = Dispatch.objects.get(recipient_email="m1@example.ch")
    confirm = text(staff.get(reverse("admin:documents_dispatch_resend", args=[first.pk])))
    assert "Soll der Beleg nochmals an m1@example.ch gesendet werden?" in confirm
    assert len(django_mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        done = text(staff.post(reverse("admin:documents_dispatch_resend", args=[first.pk]), follow=True))
    assert f"{first.reminder} wird erneut an m1@example.ch gesendet." in done
    assert f"Postausgang: {approved}" in done
    again = Dispatch.objects.get(resend_of=first)
    assert (again.status, again.created_by, again.door) == ("sent", staff_user, "admin")
    assert django_mail.outbox[3].to == ["m1@example.ch"]


def test_a_list_whose_task_never_ran_is_rendered_and_sent_from_its_outbox(
    staff, staff_user, proposed, django_capture_on_commit_callbacks
):
    reminder_run_approve(run=proposed, actor=staff_user, door=Door.ADMIN)  # the commit never comes
    page = text(staff.get(outbox_url("outbox", proposed)))
    assert "PDF: 0 von 3 erstellt" in page
    assert "PDFs erstellen und versenden" in page

    with django_capture_on_commit_callbacks(execute=True):
        done = text(staff.post(outbox_url("render", proposed), follow=True))

    assert "Die fehlenden PDFs werden erstellt und versendet." in done
    assert [m.to for m in django_mail.outbox] == [["m1@example.ch"], ["m2@example.ch"]]
    assert Dispatch.objects.filter(status=DispatchStatus.NOT_SENDABLE).count() == 1
    assert set(Dispatch.objects.values_list("door", "created_by")) == {("admin", staff_user.pk)}
    assert text(staff.get(outbox_url("send", proposed))).count("0 Belege ohne E-Mail-Adresse") == 1


def test_the_outbox_and_the_pdfs_are_for_staff_only(client, approved):
    client.force_login(UtilityUserFactory(utility=approved.community.utility))
    reminder = approved.reminders.first()

    assert client.get(outbox_url("outbox", approved)).status_code == 302
    assert client.post(outbox_url("render", approved)).status_code == 302
    assert client.get(reverse("admin:documents_dispatch_reminder_pdf", args=[reminder.pk])).status_code == 302


def test_the_pages_of_a_list_read_a_fixed_number_of_queries(staff, approved, django_assert_max_num_queries):
    """Nothing per reminder: session, user, the list, its reminders, their dispatches (one prefetch)."""
    Dispatch.objects.filter(recipient_email="m2@example.ch").update(status=DispatchStatus.FAILED, last_error="x")
    with django_assert_max_num_queries(5):
        staff.get(reverse("admin:payments_reminderrun_change", args=[approved.pk]))
    with django_assert_max_num_queries(9):  # + counts, PDF progress (twice), what sending would do
        staff.get(outbox_url("outbox", approved))
