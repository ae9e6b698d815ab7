"""A run's invoice PDFs rendered and stored as the background task does it (documents.invoice_pdfs): chunks of 50,
each rendered in one batch and stored in one transaction with its files.

Run: .venv/bin/python benchmarks/bench_run_pdfs.py   (the invoices of benchmarks/bench_invoice_pdfs.py: 100 members,
VAT, QR-bill; a throw-away SQLite file and media folder unless DATABASE_URL is set)
Prints the seconds and CPU seconds for the whole run and per invoice, and the chunk tasks' share of it, so the
figure for a 500-invoice month on one or two workers can be read off.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_invoice_pdfs
from django.conf import settings
from django.core.management import call_command

from billing.models import Invoice
from documents import invoice_pdfs


def main() -> None:
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp())
    call_command("migrate", verbosity=0)
    invoices = bench_invoice_pdfs.build()
    run = invoices[0].run
    missing = len(invoice_pdfs.missing_pdf_ids(run=run))
    started, cpu = time.perf_counter(), time.process_time()
    left = len(invoice_pdfs.invoice_pdfs_render_missing(invoices=Invoice.objects.filter(run=run)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    chunks = -(-missing // invoice_pdfs.CHUNK_SIZE)
    print(f"{missing} PDFs rendered and stored in {chunks} chunks of {invoice_pdfs.CHUNK_SIZE}, {left} left")
    if missing:
        print(f"  {seconds:.2f} s ({cpu:.2f} s CPU), {seconds / missing * 1000:.0f} ms per invoice")
        print(
            f"  500 invoices: about {seconds / missing * 500:.0f} s on one worker, "
            f"{seconds / missing * 500 / 2:.0f} s on two"
        )


if __name__ == "__main__":
    main()
