"""python manage.py send_invoices RUN [--dry-run], generate_documents --kind invoices, and the outbox beat entry."""

from io import StringIO
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from billing.models import Invoice, InvoicePdf
from billing.services import billing_run_approve, billing_run_start
from communities.models import Participant
from documents.models import Dispatch
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"


@pytest.fixture
def draft(march_community):  # noqa: F811
    march_community.iban = IBAN
    march_community.save()
    Participant.objects.filter(community=march_community, customer_number__in=["M1", "M4"]).update(
        email="post@example.ch"
    )
    return billing_run_start(community=march_community, year=2026, month=3)


@pytest.fixture
def run(draft, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_approve(run=draft, actor=staff_user)
    return draft


def command(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_a_dry_run_prints_what_would_be_queued_and_records_nothing(run):
    numbers = [invoice.display_number for invoice in Invoice.objects.filter(run=run).order_by("number")]
    names = [invoice.recipient["name"] for invoice in Invoice.objects.filter(run=run).order_by("number")]

    assert command("send_invoices", str(run.pk), "--dry-run") == [
        f"würde eingereiht: Rechnung {numbers[0]} {names[0]} <post@example.ch>",
        f"würde eingereiht: Gutschrift {numbers[3]} {names[3]} <post@example.ch>",
        f"ohne E-Mail-Adresse: Rechnung {numbers[1]} {names[1]}",
        f"ohne E-Mail-Adresse: Rechnung {numbers[2]} {names[2]}",
        f"ohne E-Mail-Adresse: Gutschrift {numbers[4]} {names[4]}",
        f"{run}: 2 würde eingereiht, 3 ohne E-Mail-Adresse, 0 bereits im Postausgang",
    ]
    assert Dispatch.objects.count() == 0


def test_sending_twice_queues_once(run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = command("send_invoices", str(run.pk))
    second = command("send_invoices", str(run.pk))

    assert first[-1] == f"{run}: 2 eingereiht, 3 ohne E-Mail-Adresse, 0 bereits im Postausgang"
    assert second[-1] == f"{run}: 0 eingereiht, 0 ohne E-Mail-Adresse, 5 bereits im Postausgang"
    number = Invoice.objects.filter(run=run).order_by("number").first().display_number
    assert second[0] == f"bereits im Postausgang: Rechnung {number} (gesendet)"
    assert len(django_mail.outbox) == 2
    assert set(Dispatch.objects.values_list("door", flat=True)) == {"command"}


def test_a_run_without_pdfs_or_unknown_is_refused_in_german(draft):
    with pytest.raises(CommandError) as error:
        command("send_invoices", str(draft.pk))
    assert str(error.value) == (
        f"Der Lauf {draft} hat keine ausgestellten Rechnungen (Status: Entwurf); es gibt nichts zu versenden."
    )
    with pytest.raises(CommandError, match=r"^Es gibt keinen Abrechnungslauf mit der Nummer 999999\.$"):
        command("send_invoices", "999999")


def test_generate_documents_renders_the_missing_invoice_pdfs(draft, staff_user, tmp_path):
    billing_run_approve(run=draft, actor=staff_user)  # nothing rendered: the commit never comes
    assert InvoicePdf.objects.count() == 0

    paths = command("generate_documents", draft.community.slug, "--kind", "invoices", "--out", str(tmp_path))

    prefix = f"{draft.community_id}-00000"
    assert paths == [
        str(tmp_path / f"Rechnung-{prefix}1.pdf"),
        str(tmp_path / f"Rechnung-{prefix}2.pdf"),
        str(tmp_path / f"Rechnung-{prefix}3.pdf"),
        str(tmp_path / f"Gutschrift-{prefix}4.pdf"),
        str(tmp_path / f"Gutschrift-{prefix}5.pdf"),
    ]
    assert InvoicePdf.objects.count() == 5
    assert Path(paths[0]).read_bytes().startswith(b"%PDF-")
    assert command("generate_documents", draft.community.slug, "--kind", "invoices")[0] == (
        InvoicePdf.objects.order_by("invoice__number").first().file.path
    )
    assert InvoicePdf.objects.count() == 5


def test_the_beat_entry_requeues_stuck_dispatches_every_five_minutes():
    task = PeriodicTask.objects.get(name="Postausgang: hängende E-Mails erneut einreihen")

    assert task.task == "documents.tasks.requeue_stuck_dispatches"
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("*/5", "*", "Europe/Zurich")
