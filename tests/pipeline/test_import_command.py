"""The import command: the summary on success, every message and a non-zero exit on refusal."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pipeline.models import Municipality, Utility
from tests.pipeline.test_market_import import HEADER, ROWS, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_file(tmp_path):
    path = tmp_path / "vnb-2026.csv"
    path.write_bytes(csv_bytes(bom=True))
    return path


def call(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_market_data", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_summary(market_file):
    out, _err = call(market_file, "--source", "Marktdaten 2026")

    assert out.splitlines() == [
        "vnb-2026.csv: 4 Zeilen aus «Marktdaten 2026»",
        "  Netzbetreiber: 2 neu, 0 geändert, 0 unverändert",
        "  Gemeinden: 3 neu, 0 geändert, 0 unverändert",
        "  Verknüpfungen hinzugefügt: 4; Netzbetreiber neu bewertet: 2",
    ]
    assert set(Municipality.objects.values_list("market_data_source", flat=True)) == {"Marktdaten 2026"}


def test_json_and_the_file_name_as_default_source(market_file):
    call(market_file)
    out, _err = call(market_file, "--json")

    assert json.loads(out) == {
        "ok": True,
        "source": "vnb-2026.csv",
        "rows": 4,
        "utilities_created": 0,
        "utilities_updated": 0,
        "utilities_unchanged": 2,
        "municipalities_created": 0,
        "municipalities_updated": 0,
        "municipalities_unchanged": 3,
        "links_added": 0,
        "rescored": 2,
        "dry_run": False,
    }


def test_dry_run_and_demo(market_file):
    out, _err = call(market_file, "--dry-run")
    assert out.splitlines()[0] == "vnb-2026.csv: 4 Zeilen aus «vnb-2026.csv» (Probelauf, nichts gespeichert)"
    assert Utility.objects.count() == 0

    call(market_file, "--demo")
    assert set(Utility.objects.values_list("is_demo", flat=True)) == {True}


def test_a_refused_file_exits_non_zero_with_every_message(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([ROWS[0], ROWS[1].replace(";9402;", ";94o2;").replace(";AG;0.65", ";XY;0.65")]))
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_market_data", str(path), stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert str(raised.value) == "abgelehnt, nichts gespeichert: 2 Fehler"
    assert err.getvalue().splitlines() == [
        "  Zeile 3, Spalte «vnb_canton»: «XY» ist kein Kantonskürzel (z. B. ZH, BE, AG).",
        "  Zeile 3, Spalte «bfs_number»: «94o2» ist keine BFS-Nummer (eine ganze Zahl von 1 bis 9999).",
    ]
    assert (Utility.objects.count(), Municipality.objects.count()) == (0, 0)


def test_a_refusal_as_json(tmp_path):
    path = tmp_path / "short.csv"
    path.write_bytes(csv_bytes(ROWS, header=HEADER.replace(";competitor", ""), delimiter=","))
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_market_data", str(path), "--json", stdout=out)

    assert json.loads(out.getvalue()) == {"ok": False, "errors": ["Zeile 1: Es fehlen die Spalten «competitor»."]}


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"no-such\.csv: diese Datei gibt es nicht\."):
        call(tmp_path / "no-such.csv")
