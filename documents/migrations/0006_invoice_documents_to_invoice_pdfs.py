"""Invoice PDFs leave the community's documents: the newest version of each invoice's Document becomes its
billing.InvoicePdf (the same file, hash and size), then the invoice documents are removed from the list."""

from django.db import migrations


def move(apps, schema_editor):
    document_model = apps.get_model("documents", "Document")
    invoice_pdf_model = apps.get_model("billing", "InvoicePdf")
    documents = document_model.objects.filter(kind="invoice", invoice__isnull=False).order_by("invoice", "-version")
    seen = set(invoice_pdf_model.objects.values_list("invoice_id", flat=True))
    for document in documents:
        if document.invoice_id in seen:
            continue
        seen.add(document.invoice_id)
        invoice_pdf_model.objects.create(
            invoice_id=document.invoice_id,
            file=document.file.name,
            sha256=document.sha256,
            size_bytes=document.size_bytes,
        )
    document_model.objects.filter(kind="invoice").delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_dispatch_requeue_beat"), ("billing", "0004_money_loop")]
    # not reversible: the PDFs stay with the invoices
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
