"""Reminders are sent like invoices: approval renders the PDFs and puts every reminder into the outbox, once."""

import io
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from billing.models import Invoice
from communities.models import Door, Participant
from documents.dispatch import (
    DispatchRefused,
    dispatch_resend,
    dispatches_requeue_stuck,
    dispatches_retry_failed,
    reminders_dispatch,
)
from documents.models import Dispatch, DispatchKind, DispatchStatus
from documents.print_pdfs import not_sendable_pdf
from documents.qr import QrBillError
from documents.tasks import send_dispatch, send_reminders
from openleg.periods import local_date
from payments.reminders import reminder_run_approve, reminder_run_propose
from tests.billing.conftest import march_community  # noqa: F401
from tests.documents.test_dispatch import RefusingBackend, billed_community  # noqa: F401
from tests.payments.test_reminders import due_day, issued  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(billed_community, issued):  # noqa: F811  (the same community: sender name, reply-to, e-mails)
    return issued.community


def propose(community, as_of):
    return reminder_run_propose(community=community, as_of=as_of, actor=None, door="admin")


def approve(run, actor, capture):
    with capture(execute=True):
        reminder_run_approve(run=run, actor=actor, door=Door.ADMIN)
    run.refresh_from_db()
    return run


@pytest.fixture
def first_day(issued):  # noqa: F811
    return due_day(issued) + timedelta(days=10)


@pytest.fixture
def proposed(community, first_day):
    return propose(community, first_day)


def invoice_of(community, number) -> Invoice:
    return Invoice.objects.get(community=community, participant__customer_number=number, kind="invoice")


def test_approval_renders_the_pdfs_and_sends_each_reminder_once(
    proposed, community, staff_user, settings, django_capture_on_commit_callbacks
):
    settings.OPENLEG_INVOICE_FROM_EMAIL = "rechnungen@openleg.ch"
    run = approve(proposed, staff_user, django_capture_on_commit_callbacks)
    first = invoice_of(community, "M1")
    reminder = run.reminders.get(invoice=first)

    assert [r.pdf_sha256 != "" for r in run.reminders.order_by("invoice__number")] == [True, True, True]
    assert [m.to for m in django_mail.outbox] == [["anna@example.ch"], ["beat@example.ch"]]
    message = django_mail.outbox[0]
    assert message.from_email == "Sonnenberg Strom <rechnungen@openleg.ch>"
    assert message.reply_to == ["buchhaltung@sonnenberg.ch"]
    assert message.subject == f"Zahlungserinnerung zu Rechnung {first.display_number} – Sonnenberg Strom"
    assert message.body == (
        f"Guten Tag {first.recipient['name']}\n\n"
        f"Unsere Rechnung {first.display_number} vom {local_date(first.issued_at):%d.%m.%Y} war am "
        f"{first.due_date:%d.%m.%Y} fällig. Vielleicht ist sie Ihnen entgangen.\n\n"
        f"Bitte bezahlen Sie CHF 100.47 bis am {reminder.due_date:%d.%m.%Y} mit dem QR-Einzahlungsschein im "
        "Anhang.\n\n"
        "Haben Sie in den letzten Tagen bezahlt? Dann betrachten Sie diese E-Mail als gegenstandslos.\n\n"
        "Bei Fragen antworten Sie einfach auf diese E-Mail.\n\n"
        "Freundliche Grüsse\nSonnenberg Strom\n"
    )
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"Zahlungserinnerung-{first.display_number}.pdf", "application/pdf")
    with reminder.pdf.open("rb") as stored:
        assert content == stored.read()

    rows = {
        d.reminder.invoice.customer_number: (d.kind, d.status, d.attempts, d.created_by, d.door)
        for d in Dispatch.objects.select_related("reminder__invoice")
    }
    assert rows == {
        "M1": ("reminder", "sent", 1, staff_user, "admin"),  # the approval's door, not the task's
        "M2": ("reminder", "sent", 1, staff_user, "admin"),
        "M3": ("reminder", "not_sendable", 0, staff_user, "admin"),
    }

    # the task again (a redelivery): nothing new rendered, recorded or sent
    assert send_reminders.delay(run.pk).get() == 0
    assert (Dispatch.objects.count(), len(django_mail.outbox)) == (3, 2)


def test_the_second_reminder_asks_for_the_open_amount_and_the_fee(
    proposed, community, staff_user, django_capture_on_commit_callbacks
):
    run = approve(proposed, staff_user, django_capture_on_commit_callbacks)
    first = invoice_of(community, "M1")
    second = approve(
        propose(community, run.reminders.get(invoice=first).due_date + timedelta(days=10)),
        staff_user,
        django_capture_on_commit_callbacks,
    )
    reminder = second.reminders.get(invoice=first)

    message = django_mail.outbox[2]
    assert message.subject == f"2. Mahnung zu Rechnung {first.display_number} – Sonnenberg Strom"
    assert (
        f"Trotz unserer Erinnerung ist die Rechnung {first.display_number} vom {local_date(first.issued_at):%d.%m.%Y} "
        f"(fällig am {first.due_date:%d.%m.%Y}) noch nicht bezahlt.\n\n"
        f"Bitte bezahlen Sie CHF 120.47 bis am {reminder.due_date:%d.%m.%Y} mit dem QR-Einzahlungsschein im "
        "Anhang. Darin enthalten ist eine Mahngebühr von CHF 20.00.\n\n"
    ) in message.body
    assert message.attachments[0][0] == f"2-Mahnung-{first.display_number}.pdf"


def test_a_participant_without_address_is_listed_for_printing_in_one_pdf(
    proposed, community, staff_user, django_capture_on_commit_callbacks
):
    run = approve(proposed, staff_user, django_capture_on_commit_callbacks)
    third = invoice_of(community, "M3")

    missing = Dispatch.objects.get(status=DispatchStatus.NOT_SENDABLE)
    assert (missing.reminder.invoice, missing.recipient_email, missing.last_error) == (
        third,
        "",
        "Keine E-Mail-Adresse hinterlegt: bitte ausdrucken und per Post senden.",
    )
    pages = PdfReader(io.BytesIO(not_sendable_pdf(run=run))).pages
    assert len(pages) == 1
    assert f"Zahlungserinnerung {third.display_number}" in pages[0].extract_text()


def test_a_refusing_server_is_retried_five_times_then_failed_with_its_reason(
    proposed, staff_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.documents.test_dispatch.RefusingBackend"
    RefusingBackend.calls = 0
    run = approve(proposed, staff_user, django_capture_on_commit_callbacks)

    failed = list(Dispatch.objects.filter(status=DispatchStatus.FAILED).order_by("pk"))
    assert RefusingBackend.calls == 10
    assert [(d.attempts, d.last_error) for d in failed] == [
        (5, "Versuch 5 von 5: Der Mailserver antwortete 451 4.3.0 Mailbox voruebergehend nicht verfuegbar")
    ] * 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatches_retry_failed(run=run, actor=staff_user, door=Door.ADMIN) == 2
    assert Dispatch.objects.filter(status=DispatchStatus.SENT).count() == 2
    assert len(django_mail.outbox) == 2


def test_two_tasks_for_one_dispatch_send_one_mail(proposed, staff_user):
    reminder_run_approve(run=proposed, actor=staff_user, door=Door.ADMIN)  # nothing queued: no commit comes
    send_reminders(proposed.pk)  # records the dispatches; their e-mails wait for a commit that never comes
    dispatch = Dispatch.objects.filter(status=DispatchStatus.PENDING).order_by("pk").first()

    assert send_dispatch.delay(dispatch.pk).get() == "sent"
    assert send_dispatch.delay(dispatch.pk).get() == "skipped"
    assert len(django_mail.outbox) == 1


def test_a_resend_is_a_new_dispatch_to_the_current_address(proposed, staff_user, django_capture_on_commit_callbacks):
    approve(proposed, staff_user, django_capture_on_commit_callbacks)
    first = Dispatch.objects.get(reminder__invoice__participant__customer_number="M1")
    Participant.objects.filter(pk=first.reminder.invoice.participant_id).update(email="anna.neu@example.ch")

    with django_capture_on_commit_callbacks(execute=True):
        again = dispatch_resend(dispatch=first, actor=staff_user, door=Door.ADMIN)

    again.refresh_from_db()
    assert (again.kind, again.reminder, again.resend_of, again.status) == ("reminder", first.reminder, first, "sent")
    assert [m.to for m in django_mail.outbox[2:]] == [["anna.neu@example.ch"]]
    assert django_mail.outbox[2].subject == django_mail.outbox[0].subject
    with pytest.raises(DispatchRefused) as refused:
        dispatch_resend(dispatch=first, actor=staff_user, door=Door.ADMIN)
    assert refused.value.message == f"{first} wurde bereits erneut versandt; bitte den neueren Versand verwenden."


def test_stuck_reminder_dispatches_are_queued_again(proposed, staff_user, django_capture_on_commit_callbacks):
    reminder_run_approve(run=proposed, actor=staff_user, door=Door.ADMIN)
    send_reminders(proposed.pk)  # records the dispatches; their e-mails wait for a commit that never comes
    stuck = Dispatch.objects.filter(status=DispatchStatus.PENDING).order_by("pk").first()
    Dispatch.objects.filter(pk=stuck.pk).update(status_changed_at=stuck.status_changed_at - timedelta(minutes=16))

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatches_requeue_stuck() == 1

    assert [m.to for m in django_mail.outbox] == [[stuck.recipient_email]]


def test_a_list_is_sent_only_approved_and_with_all_its_pdfs(proposed, staff_user):
    refusals = []
    for dry_run in (False, True):
        with pytest.raises(DispatchRefused) as refused:
            reminders_dispatch(reminder_run=proposed, actor=staff_user, door=Door.ADMIN, dry_run=dry_run)
        refusals.append(refused.value.message)
        if not dry_run:
            reminder_run_approve(run=proposed, actor=staff_user, door=Door.ADMIN)  # rendering waits for the commit

    assert refusals == [
        f"Der Mahnlauf {proposed} ist nicht freigegeben (Status: Vorschlag); es gibt nichts zu versenden.",
        f"Die PDFs des Mahnlaufs {proposed} sind noch nicht vollständig (0 von 3 erstellt); "
        "versendet wird erst, wenn alle bereit sind.",
    ]
    assert Dispatch.objects.count() == 0


def test_the_database_refuses_a_reminder_dispatch_naming_an_invoice_or_a_second_first_one(
    proposed, staff_user, django_capture_on_commit_callbacks
):
    approve(proposed, staff_user, django_capture_on_commit_callbacks)
    first = Dispatch.objects.order_by("pk").first()
    fields = {
        "kind": DispatchKind.REMINDER,
        "community_id": first.community_id,
        "recipient_name": "x",
        "door": "admin",
        "status_changed_at": first.status_changed_at,
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**fields, reminder=first.reminder, invoice=first.reminder.invoice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**fields, reminder=first.reminder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**{**fields, "kind": DispatchKind.INVOICE}, invoice=None, reminder=first.reminder)


def test_a_reminder_pdf_that_cannot_be_rendered_is_recorded_on_the_list_and_rendered_again_on_request(
    proposed, community, staff_user, client, django_capture_on_commit_callbacks
):
    broken = invoice_of(community, "M1")
    issuer = broken.issuer
    Invoice.objects.filter(pk=broken.pk).update(issuer={**issuer, "name": None})  # data a PDF cannot be made of
    with pytest.raises(QrBillError):
        approve(proposed, staff_user, django_capture_on_commit_callbacks)

    proposed.refresh_from_db()
    assert proposed.status == "approved"
    assert proposed.pdf_error == (
        "Die Mahnungen konnten nicht als PDF erstellt werden. QR-Einzahlungsschein nicht möglich: In der Adresse der "
        "LEG «None» fehlt: Name. Nichts wurde versendet."
    )
    assert (Dispatch.objects.count(), len(django_mail.outbox)) == (0, 0)
    client.force_login(staff_user)
    page = client.get(f"/admin/payments/reminderrun/{proposed.pk}/change/").content.decode()
    assert proposed.pdf_error in page
    assert "PDFs erneut erstellen und versenden" in page

    Invoice.objects.filter(pk=broken.pk).update(issuer=issuer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/documents/dispatch/reminders/{proposed.pk}/render/")

    assert response.status_code == 302
    proposed.refresh_from_db()
    assert (proposed.pdf_error, proposed.pdf_error_at) == ("", None)
    assert [r.pdf_sha256 != "" for r in proposed.reminders.order_by("invoice__number")] == [True, True, True]
    assert [m.to for m in django_mail.outbox] == [["anna@example.ch"], ["beat@example.ch"]]
