import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.models import Settlement
from payments.camt_writer import Entry, Tx
from payments.models import BankFile

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command("import_bank_file", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_json_lists_every_credit_with_its_invoice_and_status(issued, tmp_path):
    first = issued.invoices[0]
    path = tmp_path / "april.xml"
    path.write_bytes(
        issued.camt(
            issued.paying(first, Decimal("40.50"), ref="TX-1"),
            Entry([Tx(Decimal("7.00"), debtor="Niemand")], status="PDNG", booked=""),
        )
    )
    assert run(str(path)) == {
        "files": [
            {
                "file": "april.xml",
                "format": "camt.054",
                "status": "booked",
                "credits": [
                    {
                        "reference": issued.reference(first),
                        "amount": "40.50",
                        "currency": "CHF",
                        "booked_on": "2026-04-02",
                        "debtor": first.recipient["name"],
                        "invoice": {"community": issued.community.pk, "number": first.display_number},
                        "status": "matched",
                    },
                    {
                        "reference": "",
                        "amount": "7.00",
                        "currency": "CHF",
                        "booked_on": None,
                        "debtor": "Niemand",
                        "invoice": None,
                        "status": "not_booked",
                    },
                ],
                "errors": [],
            }
        ]
    }
    assert Settlement.objects.get().amount_chf == Decimal("-40.50")


def test_a_dry_run_prints_the_same_and_books_nothing(issued, tmp_path):
    path = tmp_path / "april.xml"
    path.write_bytes(issued.camt(issued.paying(issued.invoices[0], ref="TX-1")))
    assert run(str(path), "--dry-run")["files"][0]["status"] == "preview"
    assert run(str(path), "--dry-run")["files"][0]["credits"][0]["status"] == "matched"
    assert BankFile.objects.count() == Settlement.objects.count() == 0


def test_a_refused_file_exits_1_and_books_nothing_while_the_good_file_is_booked(issued, tmp_path):
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(issued.camt(issued.paying(issued.invoices[0], ref="TX-1")))
    bad.write_bytes(issued.camt(issued.paying(issued.invoices[1], ref="TX-2"), account="CH6700235235000123456"))
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_bank_file", str(good), str(bad), "--json", stdout=out)
    assert caught.value.returncode == 1
    assert str(caught.value) == "abgelehnt, nichts verbucht: bad.xml"
    files = json.loads(out.getvalue())["files"]
    assert [(item["status"], item["errors"]) for item in files] == [
        ("booked", []),
        ("rejected", ["Das Konto CH6700235235000123456 gehört zu keiner Gemeinschaft."]),
    ]
    assert Settlement.objects.count() == 1


def test_the_text_report_names_status_invoice_and_reason(issued, tmp_path):
    second = issued.invoices[1]
    path = tmp_path / "april.xml"
    path.write_bytes(issued.camt(issued.paying(second, Decimal("50.00"), ref="TX-1")))
    out = StringIO()
    call_command("import_bank_file", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "april.xml: verbucht (camt.054)",
        f"  1. 02.04.2026 CHF 50.00 {second.recipient['name']} {issued.reference(second)} -> "
        f"{second.display_number}: verbucht (Teilzahlung: offen bleiben CHF 49.85.)",
    ]
