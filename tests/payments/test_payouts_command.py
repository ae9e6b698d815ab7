from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from communities.models import Community, Participant
from payments.models import PayoutBatch
from payments.payouts import default_execution_date

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def run(*args) -> tuple[int, str, str]:
    """Exit code, output and error message of the command (``manage.py`` exits with the CommandError's code)."""
    out = StringIO()
    try:
        call_command("export_payouts", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), ""


def test_export_writes_the_file_and_says_how_many_transfers_and_how_much(payout_community, tmp_path):
    target = tmp_path / "auszahlung.xml"
    out = StringIO()

    call_command("export_payouts", "maerz", "--out", str(target), "--execution-date", "2030-04-10", stdout=out)

    assert out.getvalue() == f"2 Überweisungen, total CHF 127.63, Datei {target}\n"
    batch = PayoutBatch.objects.get()
    assert (batch.door, batch.created_by, batch.execution_date) == ("command", None, date(2030, 4, 10))
    assert target.read_bytes() == batch.file.read()
    root = etree.fromstring(target.read_bytes())
    assert root.xpath("string(//p:GrpHdr/p:CtrlSum)", namespaces=NS) == "127.63"


def test_export_by_id_with_swiss_thousands_and_the_next_weekday_by_default(payout_community, tmp_path):
    from billing.models import Invoice
    from billing.receivables import payment_book

    invoice = Invoice.objects.get(community=payout_community, number=1)
    payment_book(invoice=invoice, amount=Decimal("1200.00"), booked_on=date(2026, 4, 20), actor=None, door="import")
    Participant.objects.filter(community=payout_community, customer_number__in=["M4", "M5"]).update(iban="")
    target = tmp_path / "a.xml"

    code, out, err = run(str(payout_community.pk), "--out", str(target))

    assert (code, out, err) == (0, f"1 Überweisung, total CHF 1'099.53, Datei {target}\n", "")
    assert PayoutBatch.objects.get().execution_date == default_execution_date()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nirgends"], "Keine LEG mit der Nummer oder Kurzbezeichnung «nirgends»."),
        (
            ["maerz", "--execution-date", "10.04.2030"],
            "--execution-date: «10.04.2030» ist kein Datum der Form JJJJ-MM-TT.",
        ),
        (["maerz", "--execution-date", "2020-01-31"], "Das Ausführungsdatum 31.01.2020 liegt in der Vergangenheit."),
    ],
)
def test_bad_input_is_refused_in_german_with_exit_code_1(payout_community, tmp_path, args, message):
    target = tmp_path / "a.xml"

    code, out, err = run(*args, "--out", str(target))

    assert (code, out, err) == (1, "", message)
    assert not target.exists()
    assert PayoutBatch.objects.count() == 0


def test_a_community_that_carries_credits_over_exits_1(payout_community, tmp_path):
    Community.objects.filter(pk=payout_community.pk).update(credit_handling="carry_over")

    code, _, err = run("maerz", "--out", str(tmp_path / "a.xml"))

    assert (code, err) == (
        1,
        "Die LEG «LEG Sonnenberg» zahlt Guthaben nicht aus, sie verrechnet sie mit der nächsten "
        "Abrechnung (Einstellung «Guthaben»).",
    )


def test_a_missing_folder_is_named(payout_community, tmp_path):
    with pytest.raises(CommandError, match=f"--out: das Verzeichnis {tmp_path / 'nein'} gibt es nicht."):
        call_command("export_payouts", "maerz", "--out", str(tmp_path / "nein" / "a.xml"))
    assert PayoutBatch.objects.count() == 0
