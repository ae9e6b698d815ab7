"""Migration documents/0006: invoice PDFs that were formation documents become billing.InvoicePdf, file kept."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from billing.models import Invoice, InvoicePdf
from billing.services import billing_run_approve, billing_run_start
from documents.models import Document
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)

BEFORE = [("documents", "0005_dispatch_requeue_beat")]
AFTER = [("documents", "0007_document_without_invoices")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Leave the database fully migrated: transactional tests after this one share its schema."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_newest_invoice_document_becomes_the_invoice_pdf(march_community, staff_user):  # noqa: F811
    march_community.iban = "CH93 0076 2011 6238 5295 7"
    march_community.save()
    run = billing_run_start(community=march_community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user)
    InvoicePdf.objects.filter(invoice__run=run).delete()  # as before this change: no InvoicePdf yet
    invoice = Invoice.objects.filter(run=run).order_by("number").first()
    old = migrate(BEFORE)
    document_model = old.get_model("documents", "Document")
    for version, content in ((1, b"%PDF-1 alt"), (2, b"%PDF-2 neu")):
        document = document_model(
            community_id=march_community.pk,
            kind="invoice",
            subject=f"invoice:{invoice.pk}",
            invoice_id=invoice.pk,
            version=version,
            title=str(invoice),
            sha256=f"{version:064d}",
            size_bytes=len(content),
            source_sha256="0" * 64,
            door="task",
            signature_state="not_required",
        )
        document.file.save(f"rechnung-v{version}.pdf", ContentFile(content), save=False)
        document.save()

    migrate(AFTER)

    pdf = InvoicePdf.objects.get(invoice=invoice)
    assert (pdf.sha256, pdf.size_bytes) == (f"{2:064d}", 10)
    with pdf.file.open("rb") as stored:
        assert stored.read() == b"%PDF-2 neu"
    assert InvoicePdf.objects.count() == 1
    assert Document.objects.filter(community=march_community).count() == 0
