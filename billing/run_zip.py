"""A run's invoice PDFs as downloads for every door: one PDF under its German name, or all of them in one ZIP.

The PDFs are ``billing.InvoicePdf`` rows that the documents app renders; billing only reads them.
"""

import zipfile
from pathlib import Path
from tempfile import SpooledTemporaryFile

from django.http import FileResponse

from billing.models import BillingRun, InvoicePdf

_IN_MEMORY_ZIP_BYTES = 20 * 1024 * 1024  # larger ZIPs spill to a temporary file


def pdf_filename(pdf: InvoicePdf) -> str:
    return Path(pdf.file.name).name


def invoice_pdf_response(pdf: InvoicePdf) -> FileResponse:
    return FileResponse(pdf.file.open("rb"), as_attachment=True, filename=pdf_filename(pdf))


def run_pdfs_zip_response(run: BillingRun) -> FileResponse:
    """Every PDF of the run (invoices, credit statements, credit notes) in one ZIP, named by number, built in
    memory or in a temporary file when large."""
    archive = SpooledTemporaryFile(max_size=_IN_MEMORY_ZIP_BYTES)  # noqa: SIM115  (FileResponse closes it)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as out:  # PDFs are compressed already
        for pdf in InvoicePdf.objects.filter(invoice__run=run).order_by("invoice__number"):
            with pdf.file.open("rb") as stored:
                out.writestr(pdf_filename(pdf), stored.read())
    archive.seek(0)
    filename = f"PDFs-{run.community_id}-{run.year}-{run.month:02d}.zip"
    return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
