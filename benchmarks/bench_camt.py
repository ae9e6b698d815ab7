"""Payments in: a camt.054 with 10,000 QR-bill credits parsed, matched and booked.

Run: createdb -h 127.0.0.1 -U postgres openleg_bench_bank
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench_bank
     .venv/bin/python benchmarks/bench_camt.py   (BENCH_CREDITS=N credits, BENCH_RUNS=N runs)
(defaults to a throw-away SQLite file; the target is for PostgreSQL).

Each run builds a community of its own with one issued invoice per participant (10,000 invoices, inserted in bulk
with real numbers and references: setting up is not timed) and a camt.054 paying all of them, in entries of 100
transactions (batch bookings, as banks deliver QR-bill payments). Every tenth payment pays a little less, every
twentieth a little more, so partial and over-payments are in the mix.

Timed: ``payments.camt.parse`` alone (parse), and ``payments.bank_import.bank_file_import`` end to end (total:
hashing and keeping the file, parsing again, resolving the account, the candidate invoices, their open amounts and
the dedupe keys in one query each, the settlements and credits inserted in bulk, the totals). match+book = total -
parse. Target (issue): total under 2 s on PostgreSQL for 10,000 credits.
"""

import os
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

CREDITS = int(os.environ.get("BENCH_CREDITS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TARGET_SECONDS = 2.0
PER_ENTRY = 100


def qr_iban(n: int) -> str:
    from openleg.iban import mod97

    bban = f"30000{n:012d}"
    return f"CH{98 - mod97(bban + 'CH00'):02d}{bban}"


def build(run_number: int):
    """A community with CREDITS issued invoices, and the camt.054 that pays them."""
    from billing.models import BillingRun, Invoice, InvoiceCounter, RunStatus
    from billing.references import invoice_reference
    from communities.models import Participant
    from openleg.periods import local_month, utc_now
    from payments.camt_writer import CamtFile, Entry, Tx, build
    from tests.communities.factories import CommunityFactory
    from tests.pipeline.factories import UtilityFactory

    started = time.perf_counter()
    iban = qr_iban(int(time.time() * 1000) % 10**9 * 10 + run_number)
    utility = UtilityFactory(short_name=f"BENCH-{iban[-9:]}", vnb_number=iban[-6:], name=f"Bench {iban}")
    community = CommunityFactory(utility=utility, name=f"Bench camt {iban}", iban=iban, account_iban="")
    participants = Participant.objects.bulk_create(
        [
            Participant(
                community=community,
                kind="person",
                first_name="Anna",
                last_name=f"Bench{n}",
                role="consumer",
                member_from=date(2026, 1, 1),
                customer_number=f"B{n:06d}",
                street="Dorfstrasse",
                house_number=str(n + 1),
                postcode="8000",
                town="Zürich",
            )
            for n in range(CREDITS)
        ]
    )
    period = local_month(2026, 3)
    run = BillingRun.objects.create(
        community=community,
        year=2026,
        month=3,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=period.quarter_hours,
        status=RunStatus.ISSUED,
        method="proportional",
    )
    now = utc_now()
    invoices = Invoice.objects.bulk_create(
        [
            Invoice(
                community=community,
                number=number,
                run=run,
                participant=participant,
                issued_at=now,
                due_date=date(2026, 5, 1),
                period_from=date(2026, 3, 1),
                period_to=date(2026, 3, 31),
                issuer={"name": community.name, "iban": iban},
                recipient={"name": participant.display_name},
                customer_number=participant.customer_number,
                subtotal_chf=Decimal(80 + number % 90) + Decimal("0.35"),
                vat_chf=Decimal("0.00"),
                total_chf=Decimal(80 + number % 90) + Decimal("0.35"),
            )
            for number, participant in enumerate(participants, 1)
        ],
        batch_size=2000,
    )
    InvoiceCounter.objects.create(community=community, last_number=len(invoices))
    transactions = []
    for invoice in invoices:
        amount = invoice.total_chf
        if invoice.number % 10 == 0:
            amount -= Decimal("10.00")
        elif invoice.number % 20 == 5:
            amount += Decimal("1.00")
        transactions.append(
            Tx(
                amount=amount,
                reference=invoice_reference(community_id=community.pk, number=invoice.number, iban=iban),
                debtor=invoice.recipient["name"],
                debtor_iban="CH9300762011623852957",
                servicer_ref=f"R{run_number}-{invoice.number:06d}",
            )
        )
    entries = [
        Entry(transactions[start : start + PER_ENTRY], servicer_ref=f"E{run_number}-{start}")
        for start in range(0, len(transactions), PER_ENTRY)
    ]
    data = build(CamtFile(account=iban, entries=entries, message_id=f"BENCH-{run_number}"))
    print(
        f"run {run_number}: built {len(invoices)} invoices and a camt.054 of {len(data) / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return community, data


def main() -> None:
    from communities.models import Door
    from payments import camt
    from payments.bank_import import bank_file_import

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, {CREDITS} credits, best of {RUNS} runs")
    results = []
    for run_number in range(1, RUNS + 1):
        _community, data = build(run_number)
        started = time.perf_counter()
        document = camt.parse(data)
        parse_seconds = time.perf_counter() - started
        assert sum(len(entry.transactions) for entry in document.entries) == CREDITS
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            outcome = bank_file_import(data=data, filename=f"bench-{run_number}.xml", actor=None, door=Door.COMMAND)
            total_seconds = time.perf_counter() - started
        bank_file = outcome.bank_file
        assert (outcome.status, bank_file.matched_count) == ("booked", CREDITS), (outcome.status, outcome.errors)
        results.append((total_seconds, parse_seconds, len(queries)))
        print(
            f"  parse {parse_seconds:.3f} s, match+book {total_seconds - parse_seconds:.3f} s, "
            f"total {total_seconds:.3f} s, {len(queries)} queries, booked CHF {bank_file.matched_chf}"
        )
    total, parse, query_count = min(results)
    print(
        f"best: parse {parse:.3f} s, match+book {total - parse:.3f} s, total {total:.3f} s "
        f"({CREDITS / total:,.0f} credits/s, {query_count} queries); "
        f"ratio to the {TARGET_SECONDS:.0f} s target: {total / TARGET_SECONDS:.2f}"
    )


if __name__ == "__main__":
    main()
