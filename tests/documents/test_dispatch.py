"""The outbox: invoices sent by e-mail once, failures retried then recorded, the not sendable printed."""

import io
import smtplib
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from billing.models import Invoice
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from communities.models import Door, Participant
from documents.dispatch import (
    DispatchRefused,
    dispatch_resend,
    dispatches_requeue_stuck,
    dispatches_retry_failed,
    invoices_dispatch,
)
from documents.models import Dispatch, DispatchStatus
from documents.print_pdfs import not_sendable_pdf
from documents.tasks import send_dispatch
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)
from tests.documents.pdftext import pdf_text

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"
EMAILS = {"M1": "anna@example.ch", "M2": "beat@example.ch", "M3": "", "M4": "dora@example.ch", "M5": ""}


class RefusingBackend(EmailBackend):
    """A server that is not reachable: every message refused as SMTP does."""

    calls = 0

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise smtplib.SMTPResponseException(451, b"4.3.0 Mailbox voruebergehend nicht verfuegbar")


@pytest.fixture
def billed_community(march_community):  # noqa: F811
    march_community.iban = IBAN
    march_community.name = "LEG Sonnenberg"
    march_community.email_sender_name = "Sonnenberg Strom"
    march_community.reply_to_email = "buchhaltung@sonnenberg.ch"
    march_community.save()
    for number, email in EMAILS.items():
        Participant.objects.filter(community=march_community, customer_number=number).update(email=email)
    return march_community


@pytest.fixture
def run(billed_community, staff_user, django_capture_on_commit_callbacks):
    run = billing_run_start(community=billed_community, year=2026, month=3)
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_approve(run=run, actor=staff_user)
    return run


def dispatch_all(run, staff_user, capture):
    with capture(execute=True):
        return invoices_dispatch(run=run, actor=staff_user, door=Door.ADMIN)


def invoices(run) -> list[Invoice]:
    return list(Invoice.objects.filter(run=run).order_by("number"))


def test_sendable_invoices_are_sent_once_with_their_pdf(run, staff_user, settings, django_capture_on_commit_callbacks):
    settings.OPENLEG_INVOICE_FROM_EMAIL = "rechnungen@openleg.ch"
    plan = dispatch_all(run, staff_user, django_capture_on_commit_callbacks)
    first, fourth = invoices(run)[0], invoices(run)[3]

    assert [invoice.customer_number for invoice in plan.sendable] == ["M1", "M2", "M4"]
    assert [invoice.customer_number for invoice in plan.not_sendable] == ["M3", "M5"]
    assert len(django_mail.outbox) == 3
    message = django_mail.outbox[0]
    assert message.from_email == "Sonnenberg Strom <rechnungen@openleg.ch>"
    assert message.to == ["anna@example.ch"]
    assert message.reply_to == ["buchhaltung@sonnenberg.ch"]
    assert message.subject == f"Rechnung {first.display_number} – Sonnenberg Strom, März 2026"
    due = f"{first.due_date:%d.%m.%Y}"
    assert message.body == (
        f"Guten Tag {first.recipient['name']}\n\n"
        f"Im Anhang erhalten Sie die Rechnung {first.display_number} Ihrer Lokalen Elektrizitätsgemeinschaft für "
        "März 2026 über CHF 100.47.\n\n"
        f"Bitte bezahlen Sie CHF 100.47 bis am {due} mit dem QR-Einzahlungsschein auf der Rechnung.\n\n"
        "Bei Fragen antworten Sie einfach auf diese E-Mail.\n\n"
        "Freundliche Grüsse\nSonnenberg Strom\n"
    )
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"Rechnung-{first.display_number}.pdf", "application/pdf")
    with first.pdf.file.open("rb") as stored:
        assert content == stored.read()
    credit = django_mail.outbox[2]
    assert credit.subject == f"Gutschrift {fourth.display_number} – Sonnenberg Strom, März 2026"
    assert f"Ihr Guthaben beträgt CHF {format(-fourth.total_chf, '.2f')}." in credit.body
    assert "wird mit Ihrer nächsten Abrechnung verrechnet." in credit.body

    rows = {d.invoice.customer_number: d for d in Dispatch.objects.select_related("invoice")}
    assert {number: row.status for number, row in rows.items()} == {
        "M1": "sent",
        "M2": "sent",
        "M3": "not_sendable",
        "M4": "sent",
        "M5": "not_sendable",
    }
    assert (rows["M1"].attempts, rows["M1"].created_by, rows["M1"].door) == (1, staff_user, "admin")
    assert rows["M1"].message_id == message.extra_headers["Message-ID"]
    assert rows["M3"].last_error == "Keine E-Mail-Adresse hinterlegt: bitte ausdrucken und per Post senden."

    again = dispatch_all(run, staff_user, django_capture_on_commit_callbacks)
    assert (again.sendable, again.not_sendable, len(again.already)) == ([], [], 5)
    assert len(django_mail.outbox) == 3


def test_two_tasks_for_one_dispatch_send_one_mail(run, staff_user):
    invoices_dispatch(run=run, actor=staff_user, door=Door.COMMAND)  # queued only after a commit that never comes
    dispatch = Dispatch.objects.filter(status=DispatchStatus.PENDING).first()

    assert send_dispatch.delay(dispatch.pk).get() == "sent"
    assert send_dispatch.delay(dispatch.pk).get() == "skipped"
    assert len(django_mail.outbox) == 1


def test_a_refusing_server_is_retried_five_times_then_failed_with_its_reason(
    run, staff_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.calls = 0
    dispatch_all(run, staff_user, django_capture_on_commit_callbacks)

    failed = list(Dispatch.objects.filter(status=DispatchStatus.FAILED).order_by("pk"))
    assert RefusingBackend.calls == 15
    assert [(d.attempts, d.last_error) for d in failed] == [
        (5, "Versuch 5 von 5: Der Mailserver antwortete 451 4.3.0 Mailbox voruebergehend nicht verfuegbar")
    ] * 3
    assert django_mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatches_retry_failed(run=run, actor=staff_user, door=Door.ADMIN) == 3
    assert Dispatch.objects.filter(status=DispatchStatus.SENT).count() == 3
    assert len(django_mail.outbox) == 3


def test_a_resend_is_a_new_dispatch_pointing_at_the_old_one(run, staff_user, django_capture_on_commit_callbacks):
    dispatch_all(run, staff_user, django_capture_on_commit_callbacks)
    first = Dispatch.objects.get(invoice__participant__customer_number="M1")
    Participant.objects.filter(pk=first.invoice.participant_id).update(email="anna.neu@example.ch")

    with django_capture_on_commit_callbacks(execute=True):
        again = dispatch_resend(dispatch=first, actor=staff_user, door=Door.ADMIN)

    assert (again.resend_of, again.status, again.recipient_email) == (first, "pending", "anna.neu@example.ch")
    again.refresh_from_db()
    assert again.status == DispatchStatus.SENT
    assert [m.to for m in django_mail.outbox[3:]] == [["anna.neu@example.ch"]]
    with pytest.raises(DispatchRefused) as refused:
        dispatch_resend(dispatch=first, actor=staff_user, door=Door.ADMIN)
    assert refused.value.message == (f"{first} wurde bereits erneut versandt; bitte den neueren Versand verwenden.")


def test_the_not_sendable_are_merged_into_one_pdf_to_print(run, staff_user, django_capture_on_commit_callbacks):
    dispatch_all(run, staff_user, django_capture_on_commit_callbacks)
    third, fifth = [invoice for invoice in invoices(run) if invoice.customer_number in ("M3", "M5")]

    content = not_sendable_pdf(run=run)

    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2
    assert f"Rechnung {third.display_number}" in pages[0].extract_text()
    assert f"Gutschrift {fifth.display_number}" in pages[1].extract_text()
    assert third.display_number in pdf_text(content)


def test_dispatch_is_refused_until_the_pdfs_are_complete(billed_community, staff_user):
    run = billing_run_start(community=billed_community, year=2026, month=3)
    with pytest.raises(DispatchRefused) as refused:
        invoices_dispatch(run=run, actor=staff_user, door=Door.ADMIN)
    assert refused.value.message == (
        f"Der Lauf {run} hat keine ausgestellten Rechnungen (Status: Entwurf); es gibt nichts zu versenden."
    )

    billing_run_approve(run=run, actor=staff_user)  # rendering waits for a commit that never comes
    with pytest.raises(DispatchRefused) as refused:
        invoices_dispatch(run=run, actor=staff_user, door=Door.ADMIN, dry_run=True)
    assert refused.value.message == (
        f"Die PDFs des Laufs {run} sind noch nicht vollständig (0 von 5 erstellt); "
        "versendet wird erst, wenn alle bereit sind."
    )
    assert Dispatch.objects.count() == 0


def test_stuck_waiting_dispatches_are_queued_again_but_one_cut_off_while_sending_is_never_sent_twice(
    run, staff_user, django_capture_on_commit_callbacks
):
    invoices_dispatch(run=run, actor=staff_user, door=Door.COMMAND)  # never queued: the commit never comes
    old = Dispatch.objects.filter(status=DispatchStatus.PENDING).order_by("pk")
    stuck, sending, fresh = list(old)
    Dispatch.objects.filter(pk__in=[stuck.pk, sending.pk]).update(
        status_changed_at=stuck.status_changed_at - timedelta(minutes=16)
    )
    Dispatch.objects.filter(pk=sending.pk).update(status=DispatchStatus.SENDING, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatches_requeue_stuck() == 1

    statuses = dict(Dispatch.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in (stuck, sending, fresh)] == ["sent", "failed", "pending"]
    assert [m.to for m in django_mail.outbox] == [[stuck.recipient_email]]
    assert Dispatch.objects.get(pk=sending.pk).last_error == (
        "Versand unterbrochen, während die E-Mail dem Mailserver übergeben wurde: ob sie ankam, ist unbekannt. "
        "Nicht automatisch wiederholt, damit niemand sie doppelt erhält; bitte prüfen und bei Bedarf erneut senden."
    )


def test_the_database_refuses_a_dispatch_without_what_it_sends_or_a_second_first_one(run, staff_user):
    invoices_dispatch(run=run, actor=staff_user, door=Door.COMMAND)
    first = Dispatch.objects.order_by("pk").first()
    fields = {"community_id": first.community_id, "recipient_name": "x", "door": "admin"}

    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**fields, invoice=None, status_changed_at=first.status_changed_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**fields, invoice=first.invoice, status_changed_at=first.status_changed_at)


def test_after_cancelling_only_the_credit_notes_of_sent_invoices_are_sent(
    run, staff_user, django_capture_on_commit_callbacks
):
    dispatch_all(run, staff_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_cancel(run=run, actor=staff_user, reason="Tarif falsch")

    plan = dispatch_all(run, staff_user, django_capture_on_commit_callbacks)

    assert [(note.kind, note.corrects.customer_number) for note in plan.sendable] == [
        ("credit_note", "M1"),
        ("credit_note", "M2"),
        ("credit_note", "M4"),
    ]
    assert (plan.not_sendable, len(django_mail.outbox)) == ([], 6)
    first = plan.sendable[0]
    message = django_mail.outbox[3]
    assert message.subject == f"Storno {first.display_number} zu {first.corrects} – Sonnenberg Strom"
    assert (
        f"Im Anhang erhalten Sie den Storno {first.display_number}: er hebt {first.corrects} für März 2026 über "
        "CHF 100.47 auf.\n\n"
        f"Die Rechnung {first.corrects.display_number} ist damit aufgehoben; Sie müssen sie nicht bezahlen."
    ) in message.body
    assert message.attachments[0][0] == f"Storno-{first.display_number}.pdf"
