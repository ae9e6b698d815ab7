"""Invoice PDFs: 100 separate renders against one batch of 100 (documents.pdf.htmls_to_pdfs).

Run: .venv/bin/python benchmarks/bench_invoice_pdfs.py   (BENCH_RUNS=N repeats, default 3; best of them counts)
(defaults to a throw-away SQLite file; DATABASE_URL=postgres://… uses that database, where a previous run's
invoices are reused). The database only supplies the invoices: the time is WeasyPrint's.

The invoices: 100 members of a VAT-registered community with an ordinary IBAN (creditor reference), issued by
billing.invoicing.invoices_issue from statement lines shaped like a real March: energy in high and low tariff,
a fee, VAT, four information lines; each invoice fits on one page with its QR-bill.

Timed, each from the issued invoice to PDF bytes (HTML included):
  alone     100 separate renders, each one by itself: its own font configuration and stylesheet, as a render
            outside a batch (a fresh process, a script) pays them: render_alone(invoice_html(invoice))
  reusing   100 separate renders in one process that keeps fonts and stylesheet between them, as OpenLEG's
            html_to_pdf does (a Celery worker, a web process): html_to_pdf(invoice_html(invoice))
  batch     invoices_pdfs(invoices): fonts and stylesheet kept, one image cache for the batch
Target (issue): the batch "well under 100 separate renders, for example by reusing fonts and styles": batch / alone.
batch / reusing shows how much is left to share once fonts and styles are reused: layout and painting are paid
per page either way. The three are run in turn, RUNS times; the best of each counts. Besides the wall-clock
seconds the process's CPU seconds are shown (best of the runs too): on a shared machine they vary less.
"""

import os
import random
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from billing.models import BillingRun, Invoice, StatementLine  # noqa: E402
from documents.invoice_pdf import invoice_html, invoices_pdfs  # noqa: E402
from documents.pdf import STYLESHEET, html_to_pdf  # noqa: E402
from openleg.money import round_chf  # noqa: E402
from openleg.periods import local_month  # noqa: E402

INVOICES = 100
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
COMMUNITY_NAME = "Bench LEG Rechnungen"
YEAR, MONTH = 2026, 3
VAT_RATE = Decimal("0.081")


def statement_lines(run: BillingRun, participant, rng: random.Random) -> list[StatementLine]:
    """One member's month as the billing engine words it (billing.texts)."""
    from billing.texts import statement_labels

    text = statement_labels()
    high, low = Decimal(rng.randint(80_000, 300_000)) / 1000, Decimal(rng.randint(120_000, 400_000)) / 1000
    residual = Decimal(rng.randint(50_000, 200_000)) / 1000
    charged = [
        ("energy", f"{text['energy']} Hochtarif", high, Decimal("22.7500")),
        ("energy", f"{text['energy']} Niedertarif", low, Decimal("18.5000")),
    ]
    rows = [(kind, label, kwh, price, round_chf(kwh * price / 100)) for kind, label, kwh, price in charged]
    rows.append(("fee", "Administration", None, None, Decimal("4.50")))
    subtotal = sum(row[4] for row in rows)
    consumption, leg = high + low + residual, high + low
    share = (leg * 100 / consumption).quantize(Decimal("0.1"))
    rows += [
        ("vat", text["vat"] % {"rate": "8.1"}, None, None, round_chf(subtotal * VAT_RATE)),
        ("info", text["consumption"], consumption, None, None),
        ("info", text["leg_share"] % {"share": share}, leg, None, None),
        ("info", text["residual"], residual, None, None),
        ("info", text["saving"] % {"rate": "40"}, leg, Decimal("9.5000"), round_chf(leg * Decimal("0.038"))),
    ]
    return [
        StatementLine(
            run=run,
            participant=participant,
            position=position,
            kind=kind,
            label=label,
            quantity=kwh,
            unit="kWh" if kwh is not None else "",
            unit_price=price,
            amount_chf=amount,
        )
        for position, (kind, label, kwh, price, amount) in enumerate(rows, start=1)
    ]


@transaction.atomic
def build() -> list[Invoice]:
    """The bench community and its issued invoices; reused if the database has them already."""
    from billing.invoicing import invoices_issue
    from communities.models import Community
    from tests.communities.factories import CommunityFactory, ParticipantFactory

    existing = Community.objects.filter(name=COMMUNITY_NAME).first()
    if existing is not None:
        return list(Invoice.objects.filter(community=existing).order_by("number"))
    community = CommunityFactory(
        name=COMMUNITY_NAME,
        start_date=date(2026, 1, 1),
        vat_number="CHE-123.456.789 MWST",
        iban="CH93 0076 2011 6238 5295 7",
    )
    participants = [ParticipantFactory(community=community) for _ in range(INVOICES)]
    period = local_month(YEAR, MONTH)
    run = BillingRun.objects.create(
        community=community,
        year=YEAR,
        month=MONTH,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=period.quarter_hours,
        method="proportional",
        snapshot={"vat_rate": str(VAT_RATE)},
    )
    rng = random.Random(2026)
    StatementLine.objects.bulk_create([line for p in participants for line in statement_lines(run, p, rng)])
    return invoices_issue(run=run)


def render_alone(html: str) -> bytes:
    """One document rendered by itself: a font configuration and the stylesheet of its own, nothing kept."""
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def best_of_interleaved(runs: int, works: dict) -> dict[str, tuple[float, float, list[bytes]]]:
    """Each work run ``runs`` times, in turn with the others: its shortest wall-clock and CPU seconds, last result."""
    timings = {label: ([], [], None) for label in works}
    for _ in range(runs):
        for label, work in works.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            result = work()
            seconds, cpu_seconds, _ = timings[label]
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - cpu_started)
            timings[label] = (seconds, cpu_seconds, result)
    return {label: (min(seconds), min(cpu), result) for label, (seconds, cpu, result) in timings.items()}


def main() -> None:
    call_command("migrate", verbosity=0)
    invoices = build()
    count = len(invoices)
    html_to_pdf(invoice_html(invoices[0]))  # warm-up: fonts, stylesheet, templates
    timings = best_of_interleaved(
        RUNS,
        {
            f"{count} renders, each alone": lambda: [render_alone(invoice_html(invoice)) for invoice in invoices],
            f"{count} renders, reusing": lambda: [html_to_pdf(invoice_html(invoice)) for invoice in invoices],
            f"one batch of {count}": lambda: invoices_pdfs(invoices),
        },
    )

    print(f"database: {connection.vendor}; {count} invoices, best of {RUNS}")
    print(f"{'':<28}{'seconds':>9}{'per invoice':>13}{'CPU s':>8}{'MB':>7}")
    for label, (seconds, cpu_seconds, pdfs) in timings.items():
        megabytes = sum(len(pdf) for pdf in pdfs) / 1e6
        print(f"{label:<28}{seconds:>9.2f}{seconds / count:>13.3f}{cpu_seconds:>8.2f}{megabytes:>7.2f}")
    (alone_s, alone_cpu, _), (reusing_s, reusing_cpu, _), (batch_s, batch_cpu, _) = timings.values()
    print(f"batch / renders alone:   {batch_s / alone_s:.2f} (CPU {batch_cpu / alone_cpu:.2f})  <- the target")
    print(f"batch / renders reusing: {batch_s / reusing_s:.2f} (CPU {batch_cpu / reusing_cpu:.2f})")


if __name__ == "__main__":
    main()
