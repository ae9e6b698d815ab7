"""A Celery worker killed while it stores the invoice PDFs of an approved run: each invoice ends with exactly one
PDF, the invoices keep their numbers."""

import hashlib

import pytest

from billing.models import Invoice, InvoicePdf
from documents.models import RunPdfRendering
from documents.tasks import render_run_pdfs
from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)
from tests.documents.test_invoice_pdf import issue
from tests.faults.workers.conftest import until

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_worker_killed_while_storing_pdfs_each_invoice_gets_one_pdf_after_redelivery(
    march_community,  # noqa: F811
    staff_user,
    broker,
    processes,
    database,
    private_redis,
    settings,
    tmp_path,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The approval queues the rendering after commit, as in production: to the (private) Redis, not eagerly here.
    monkeypatch.setattr(render_run_pdfs, "delay", lambda run_id: broker("documents.tasks.render_run_pdfs", run_id))
    first = processes.worker(visibility_timeout=4)
    with database.table_lock("billing_invoicepdf"):
        invoices = issue(march_community, staff_user)
        stuck = until(
            lambda: database.waiting_for("billing_invoicepdf"), timeout=90, what="the PDFs mid-way", log=first.log
        )
        first.kill()
    until(lambda: database.backends_gone(stuck), timeout=30, what="the dead worker's transaction to end")
    run = invoices[0].run
    assert InvoicePdf.objects.count() == 0  # the chunk is one transaction
    assert private_redis.waiting() == (0, 1)  # the chunk's message, held for the dead worker

    second = processes.worker(visibility_timeout=4)
    until(
        lambda: InvoicePdf.objects.count() == len(invoices),
        timeout=90,
        what="the PDFs rendered again",
        log=second.log,
    )
    until(lambda: private_redis.waiting() == (0, 0), timeout=30, what="the acknowledgement", log=second.log)

    assert len(invoices) == 5
    assert list(Invoice.objects.filter(run=run).order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    for pdf in InvoicePdf.objects.select_related("invoice"):
        content = pdf.file.read()
        assert content.startswith(b"%PDF-")
        assert (hashlib.sha256(content).hexdigest(), len(content)) == (pdf.sha256, pdf.size_bytes)
    assert RunPdfRendering.objects.get(run=run).error == ""
    # The killed attempt had written its first file before the row that would name it: it stays, named by nothing.
    files = [path for path in (tmp_path / "media").rglob("*.pdf")]
    assert len(files) == len(invoices) + 1
