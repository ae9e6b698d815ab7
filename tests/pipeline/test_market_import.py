"""The market data import: exact counts, idempotent, every bad input named with line and column, all or nothing."""

from decimal import Decimal

import pytest

from pipeline import services
from pipeline.demo import DEMO_MARKET_SOURCE, load_demo_market
from pipeline.market_import import MarketImportError, market_data_import
from pipeline.models import Municipality, Stage, Utility
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "vnb_short_name;vnb_name;vnb_number;vnb_canton;smart_meter_share;competitor;"
    "bfs_number;municipality;municipality_canton;population;installed_pv_kwp;roof_potential_mwh"
)
ROWS = [
    "EWA;Elektra Aarfeld AG;999101;AG;0.65;;9401;Aarfeld;AG;4200;3150.5;24800",
    "EWA;Elektra Aarfeld AG;999101;AG;0.65;;9402;Unterfeld;AG;1800;;9100",
    "SIB;Services industriels de Bellerive;;VD;;LEG-Portal Alpha;9403;Bellerive;VD;;;",
    "SIB;Services industriels de Bellerive;;VD;;;9402;Unterfeld;AG;1800;;9100",
]


def csv_bytes(rows=ROWS, *, header=HEADER, delimiter=";", bom=False) -> bytes:
    text = "\r\n".join([header, *rows]).replace(";", delimiter) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def run(data: bytes | None = None, **options):
    options.setdefault("source", "Testdaten 2026")
    return market_data_import(file=csv_bytes() if data is None else data, actor=None, door="command", **options)


def errors_of(data: bytes, **options) -> list[str]:
    with pytest.raises(MarketImportError) as raised:
        run(data, **options)
    return raised.value.errors


def stored() -> dict:
    return {
        "utilities": sorted(
            Utility.objects.values_list("short_name", "name", "vnb_number", "canton", "smart_meter_share", "competitor")
        ),
        "municipalities": sorted(
            Municipality.objects.values_list(
                "bfs_number", "name", "canton", "population", "installed_pv_kwp", "roof_potential_mwh"
            )
        ),
        "links": sorted(Utility.municipalities.through.objects.values_list("utility__short_name", "municipality_id")),
    }


def test_a_file_creates_its_utilities_municipalities_and_links():
    summary = run()

    assert summary.as_dict() == {
        "source": "Testdaten 2026",
        "rows": 4,
        "utilities_created": 2,
        "utilities_updated": 0,
        "utilities_unchanged": 0,
        "municipalities_created": 3,
        "municipalities_updated": 0,
        "municipalities_unchanged": 0,
        "links_added": 4,
        "rescored": 2,
        "dry_run": False,
    }
    assert stored()["utilities"] == [
        ("EWA", "Elektra Aarfeld AG", "999101", "AG", Decimal("0.650"), ""),
        ("SIB", "Services industriels de Bellerive", None, "VD", None, "LEG-Portal Alpha"),
    ]
    assert stored()["municipalities"] == [
        (9401, "Aarfeld", "AG", 4200, Decimal("3150.5"), Decimal("24800.0")),
        (9402, "Unterfeld", "AG", 1800, None, Decimal("9100.0")),
        (9403, "Bellerive", "VD", None, None, None),
    ]
    assert sorted(Utility.objects.get(short_name="SIB").municipalities.values_list("bfs_number", flat=True)) == [
        9402,
        9403,
    ]
    assert set(Municipality.objects.values_list("market_data_source", flat=True)) == {"Testdaten 2026"}
    assert set(Utility.objects.values_list("is_demo", "stage")) == {(False, Stage.LEAD)}


def test_the_same_file_again_changes_nothing():
    run()
    before = stored()
    ids = sorted(Utility.objects.values_list("pk", flat=True))

    summary = run()

    assert (summary.utilities_created, summary.utilities_updated, summary.utilities_unchanged) == (0, 0, 2)
    assert (summary.municipalities_created, summary.municipalities_updated, summary.municipalities_unchanged) == (
        0,
        0,
        3,
    )
    assert summary.links_added == 0
    assert stored() == before
    assert sorted(Utility.objects.values_list("pk", flat=True)) == ids


def test_a_reimport_updates_values_and_links_but_never_the_pipeline(staff_user):
    run()
    Utility.objects.filter(short_name="EWA").update(
        stage=Stage.CONTACTED, owner=staff_user, notes="Rückruf vereinbart", next_action="Demo zeigen"
    )
    changed = [
        "EWA;Elektra Aarfeld AG;999101;AG;0.7;eigenes Angebot;9401;Aarfeld;AG;4300;3150.5;24800",
        "EWA;Elektra Aarfeld AG;999101;AG;0.7;eigenes Angebot;9403;Bellerive;VD;;;",
    ]

    summary = run(csv_bytes(changed), source="Testdaten 2027")

    assert (summary.utilities_updated, summary.municipalities_updated, summary.links_added) == (1, 2, 1)
    utility = Utility.objects.get(short_name="EWA")
    assert (utility.smart_meter_share, utility.competitor) == (Decimal("0.700"), "eigenes Angebot")
    assert (utility.stage, utility.owner, utility.notes, utility.next_action) == (
        Stage.CONTACTED,
        staff_user,
        "Rückruf vereinbart",
        "Demo zeigen",
    )
    assert Municipality.objects.get(bfs_number=9401).population == 4300
    # links are only ever added: Unterfeld stays linked although this file leaves it out
    assert sorted(utility.municipalities.values_list("bfs_number", flat=True)) == [9401, 9402, 9403]
    assert dict(Municipality.objects.values_list("bfs_number", "market_data_source")) == {
        9401: "Testdaten 2027",
        9402: "Testdaten 2026",
        9403: "Testdaten 2027",
    }
    assert Utility.objects.count() == 2 and Municipality.objects.count() == 3


def test_an_empty_cell_leaves_the_stored_value():
    run()
    rows = ["EWA;Elektra Aarfeld AG;;AG;;;9401;Aarfeld;AG;;;"]

    summary = run(csv_bytes(rows))

    assert (summary.utilities_unchanged, summary.municipalities_unchanged) == (1, 1)
    assert stored()["utilities"][0] == ("EWA", "Elektra Aarfeld AG", "999101", "AG", Decimal("0.650"), "")
    assert stored()["municipalities"][0] == (9401, "Aarfeld", "AG", 4200, Decimal("3150.5"), Decimal("24800.0"))


def test_a_known_vnb_number_under_a_new_short_name_renames_the_utility():
    existing = UtilityFactory(short_name="EW-AARF", vnb_number="999101", stage=Stage.DEMO)

    summary = run()

    assert (summary.utilities_created, summary.utilities_updated) == (1, 1)
    existing.refresh_from_db()
    assert (existing.short_name, existing.name, existing.stage) == ("EWA", "Elektra Aarfeld AG", Stage.DEMO)


@pytest.mark.parametrize(("delimiter", "bom"), [(";", False), (";", True), (",", False), (",", True)])
def test_both_delimiters_with_and_without_bom(delimiter, bom):
    rows = [row.replace("LEG-Portal Alpha", "LEG-Portal") for row in ROWS]

    summary = run(csv_bytes(rows, delimiter=delimiter, bom=bom))

    assert (summary.rows, summary.utilities_created, summary.municipalities_created, summary.links_added) == (
        4,
        2,
        3,
        4,
    )
    assert Utility.objects.get(short_name="EWA").smart_meter_share == Decimal("0.650")


def test_columns_in_any_order_swiss_number_forms_and_unknown_columns_ignored():
    header = (
        "Bemerkung;bfs_number;municipality;municipality_canton;population;installed_pv_kwp;roof_potential_mwh;"
        "vnb_short_name;vnb_name;vnb_number;vnb_canton;smart_meter_share;competitor;vnb_postcode;vnb_town"
    )
    rows = ["geprüft;9401;Aarfeld;ag;12'400;1 234,56;24800;EWA;Elektra Aarfeld AG;999101;AG;0,655;;5999;Aarfeld"]

    run(csv_bytes(rows, header=header))

    municipality = Municipality.objects.get()
    assert (municipality.canton, municipality.population, municipality.installed_pv_kwp) == (
        "AG",
        12400,
        Decimal("1234.6"),
    )
    utility = Utility.objects.get()
    assert (utility.smart_meter_share, utility.postcode, utility.town) == (Decimal("0.655"), "5999", "Aarfeld")


def test_rows_instead_of_a_file():
    names = HEADER.split(";")
    rows = [dict(zip(names, row.split(";"), strict=True)) for row in ROWS]

    summary = market_data_import(rows=rows, source="API", actor=None, door="api")

    assert (summary.utilities_created, summary.municipalities_created, summary.links_added) == (2, 3, 4)


def test_missing_columns_are_listed():
    header = HEADER.replace("vnb_number;", "").replace("population;", "")
    rows = [row.replace(";999101", "").replace(";4200", "") for row in ROWS[:1]]

    assert errors_of(csv_bytes(rows, header=header)) == ["Zeile 1: Es fehlen die Spalten «vnb_number», «population»."]


BAD_CELLS = [
    ("bfs_number", "12a", "«12a» ist keine BFS-Nummer (eine ganze Zahl von 1 bis 9999)."),
    ("bfs_number", "0", "Die BFS-Nummer 0 liegt nicht zwischen 1 und 9999."),
    ("bfs_number", "10000", "Die BFS-Nummer 10000 liegt nicht zwischen 1 und 9999."),
    ("bfs_number", "", "Der Wert fehlt."),
    ("population", "-5", "«-5» ist negativ; erlaubt sind nur Werte ab 0."),
    ("population", "12.5", "«12.5» ist keine ganze Zahl."),
    ("population", "viele", "«viele» ist keine Zahl."),
    ("installed_pv_kwp", "-0.1", "«-0.1» ist negativ; erlaubt sind nur Werte ab 0."),
    ("roof_potential_mwh", "-3", "«-3» ist negativ; erlaubt sind nur Werte ab 0."),
    ("smart_meter_share", "1.5", "Der Anteil «1.5» liegt nicht zwischen 0 und 1."),
    ("smart_meter_share", "-0.2", "«-0.2» ist negativ; erlaubt sind nur Werte ab 0."),
    ("vnb_canton", "XY", "«XY» ist kein Kantonskürzel (z. B. ZH, BE, AG)."),
    ("municipality_canton", "Aargau", "«Aargau» ist kein Kantonskürzel (z. B. ZH, BE, AG)."),
    ("vnb_number", "12345", "«12345» ist keine VNB-Nummer (sechs Ziffern)."),
    ("vnb_name", "", "Der Wert fehlt."),
    ("vnb_short_name", "X" * 41, "Der Text ist länger als 40 Zeichen."),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS)
def test_a_bad_cell_is_named_by_line_and_column_and_nothing_is_written(column, value, message):
    names = HEADER.split(";")
    cells = ROWS[2].split(";")
    cells[names.index(column)] = value
    rows = [ROWS[0], ROWS[1], ";".join(cells)]

    assert errors_of(csv_bytes(rows)) == [f"Zeile 4, Spalte «{column}»: {message}"]
    assert (Utility.objects.count(), Municipality.objects.count()) == (0, 0)


def test_every_error_is_listed_in_line_order_and_the_stored_data_stays():
    run()
    before = stored()
    rows = [
        "EWA;Elektra Aarfeld AG;999101;AG;0.65;;9401;Aarfeld;AG;4300;3150.5;24800",
        "EWB;Elektra Aarfeld Nord AG;999102;AG;2;;94x;Nordfeld;AG;-1;;",
        "",
        "EWA;Elektra Aarfeld AG;999101;BE;0.65;;9402;Unterfeld;AG;1800;;9100",
    ]

    with pytest.raises(MarketImportError) as raised:
        run(csv_bytes(rows))
    error = raised.value

    assert error.errors == [
        "Zeile 3, Spalte «smart_meter_share»: Der Anteil «2» liegt nicht zwischen 0 und 1.",
        "Zeile 3, Spalte «bfs_number»: «94x» ist keine BFS-Nummer (eine ganze Zahl von 1 bis 9999).",
        "Zeile 3, Spalte «population»: «-1» ist negativ; erlaubt sind nur Werte ab 0.",
        "Zeile 5, Spalte «vnb_canton»: «BE» widerspricht Zeile 2 («AG»).",
    ]
    assert error.message.splitlines()[0] == (
        "Die Marktdaten wurden nicht importiert, es wurde nichts gespeichert (4 Fehler):"
    )
    assert error.code == "market_import_invalid"
    assert stored() == before


def test_a_municipality_must_read_the_same_on_every_row():
    rows = [ROWS[0], "SIB;Services industriels de Bellerive;;VD;;;9401;Aarfeld;AG;4201;3150.5;24800"]

    assert errors_of(csv_bytes(rows)) == ["Zeile 3, Spalte «population»: «4201» widerspricht Zeile 2 («4200»)."]


def test_a_vnb_number_belongs_to_one_utility():
    UtilityFactory(name="Werke am See AG", short_name="WAS", vnb_number="999777")
    UtilityFactory(short_name="SIB", vnb_number=None)
    rows = [
        ROWS[0],
        "EWB;Elektra B;999101;AG;;;9402;Unterfeld;AG;;;",
        "SIB;Services industriels de Bellerive;999777;VD;;;9403;Bellerive;VD;;;",
    ]

    assert errors_of(csv_bytes(rows)) == [
        "Zeile 3, Spalte «vnb_number»: Die VNB-Nummer 999101 steht schon bei «EWA».",
        "Zeile 4, Spalte «vnb_number»: Die VNB-Nummer 999777 gehört bereits zu «Werke am See AG» (WAS).",
    ]
    assert Utility.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei enthält keine Datenzeilen."),
        (HEADER.encode(), "Die Datei enthält keine Datenzeilen."),
        (csv_bytes()[:40] + b"\xe4" + csv_bytes()[40:], "Die Datei ist nicht in UTF-8 kodiert (Byte 41)."),
    ],
)
def test_an_empty_or_foreign_encoded_file_is_refused(data, message):
    assert errors_of(data) == [message]


@pytest.mark.parametrize(
    ("source", "message"),
    [(" ", "Die Quelle der Marktdaten fehlt."), ("Q" * 201, "Die Quelle ist länger als 200 Zeichen.")],
)
def test_the_source_is_required(source, message):
    assert errors_of(csv_bytes(), source=source) == [message]


def test_a_dry_run_counts_and_writes_nothing():
    summary = run(dry_run=True)

    assert (summary.dry_run, summary.utilities_created, summary.links_added, summary.rescored) == (True, 2, 4, 0)
    assert (Utility.objects.count(), Municipality.objects.count()) == (0, 0)


def test_every_utility_whose_inputs_changed_is_rescored(monkeypatch):
    neighbour = UtilityFactory(short_name="NACHBAR")
    neighbour.municipalities.add(MunicipalityFactory(bfs_number=9402, name="Unterfeld", canton="AG"))
    UtilityFactory(short_name="FERN")
    rescored: list[set[str]] = []
    original = services.utilities_rescore

    def spy(queryset):
        rescored.append(set(queryset.values_list("short_name", flat=True)))
        return original(queryset)

    monkeypatch.setattr(services, "utilities_rescore", spy)

    summary = run()

    # Unterfeld got its figures from this file: its other utility's score changes as well
    assert rescored == [{"EWA", "SIB", "NACHBAR"}]
    assert summary.rescored == 3
    scored = dict(Utility.objects.values_list("short_name", "scored_at"))
    assert scored["FERN"] is None and all(scored[name] is not None for name in ("EWA", "SIB", "NACHBAR"))
    assert Utility.objects.get(short_name="EWA").score_breakdown != {}


def test_demo_marks_the_utilities_as_demo_data():
    run(demo=True)

    assert set(Utility.objects.values_list("is_demo", flat=True)) == {True}


def test_the_demo_file_imports_cleanly_twice():
    first = load_demo_market()
    again = load_demo_market()

    utilities = Utility.objects.all()
    assert 28 <= first.utilities_created == utilities.count() <= 32
    assert (again.utilities_created, again.utilities_updated, again.municipalities_updated, again.links_added) == (
        0,
        0,
        0,
        0,
    )
    assert len(set(utilities.values_list("canton", flat=True))) >= 6
    assert all(utility.is_demo and utility.name.endswith("(Demo)") for utility in utilities)
    municipalities = Municipality.objects.all()
    assert all(9100 <= number <= 9899 for number in municipalities.values_list("bfs_number", flat=True))
    assert set(municipalities.values_list("market_data_source", flat=True)) == {DEMO_MARKET_SOURCE}
    served = [utility.municipalities.count() for utility in utilities]
    assert min(served) >= 1 and max(served) <= 5
    assert utilities.exclude(competitor="").count() >= 3
    assert utilities.filter(smart_meter_share__isnull=True).count() >= 2
    assert municipalities.filter(population__isnull=True).count() >= 2
    assert municipalities.filter(roof_potential_mwh__isnull=True).count() >= 2
    assert utilities.filter(score__isnull=True).count() == 0


def logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "pipeline.market_import"]


def test_the_log_says_in_german_what_was_imported_through_which_door_without_a_person(caplog):
    with caplog.at_level("INFO", logger="pipeline.market_import"):
        run()

    assert logged(caplog) == [
        "Marktdaten «Testdaten 2026» importiert über den Zugang «Befehl», ohne angemeldete Person: 4 Zeilen; "
        "Netzbetreiber 2 neu, 0 geändert, 0 unverändert; Gemeinden 3 neu, 0 geändert, 0 unverändert; "
        "4 Verknüpfungen neu; 2 Netzbetreiber neu bewertet."
    ]


def test_the_log_names_the_person_and_a_dry_run(caplog):
    from tests.accounts.factories import StaffUserFactory

    staff = StaffUserFactory(username="p.muster")
    with caplog.at_level("INFO", logger="pipeline.market_import"):
        market_data_import(file=csv_bytes(), source="BFS 2026", actor=staff, door="admin", dry_run=True)

    (message,) = logged(caplog)
    assert message.startswith(
        "Probelauf, nichts gespeichert: Marktdaten «BFS 2026» importiert durch p.muster über den Zugang "
        "«Administration»: 4 Zeilen; "
    )
    assert "{" not in message and "None" not in message
