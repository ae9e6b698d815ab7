"""A CSV layout we have no parser for: proposed, confirmed once by a person, then used for every file."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from metering.csv_mappings import csv_mapping_confirm, layout_signature
from metering.models import CsvMapping, DaySeries, MeterImport
from metering.parsers.generic import sniff
from tests.metering.conftest import BKW_POINT, FIXTURES, fixture_bytes

pytestmark = pytest.mark.django_db
NAME = "generic-unseen-layout.csv"


def import_json(*args) -> dict:
    out = StringIO()
    call_command("import_meter_data", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_unconfirmed_layout_is_not_stored(leg):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_meter_data", str(FIXTURES / NAME), "--json", stdout=out)
    file = json.loads(out.getvalue())["files"][0]
    assert (file["format"], file["errors"][0]["code"]) == ("generic", "unconfirmed_mapping")
    assert file["errors"][0]["message"].startswith("Für dieses CSV-Format ist noch keine Spaltenzuordnung bestätigt.")
    assert DaySeries.objects.count() == 0


def test_confirmed_layout_is_used_for_every_file_of_that_layout(leg, staff_user):
    data = fixture_bytes(NAME)
    saved = csv_mapping_confirm(
        utility=leg.utility, data=data, mapping=sniff(data).to_dict(), name="Portal X", actor=staff_user
    )
    assert saved.signature == "Zeitpunkt,Messpunkt,Verbrauch kWh,Produktion kWh" == layout_signature(data)
    file = import_json(str(FIXTURES / NAME))["files"][0]
    assert file["status"] == "applied"
    assert {(s["metering_point"], s["direction"], s["kwh"]) for s in file["series"]} == {
        (BKW_POINT, "consumption", "7.654"),
        (BKW_POINT, "production", "28.792"),
    }


def test_a_wrong_mapping_is_refused_with_its_reason(leg, staff_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        csv_mapping_confirm(
            utility=leg.utility, data=fixture_bytes(NAME), mapping={"delimiter": "|"}, name="x", actor=staff_user
        )
    assert error.value.messages == ["Die Zuordnung ist ungültig: delimiter must be ';', ',' or a tab"]
    assert CsvMapping.objects.count() == 0


def test_staff_confirm_the_mapping_in_the_admin_preview(client, staff_user, leg):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:metering_meterimport_upload"),
        {"file": SimpleUploadedFile(NAME, fixture_bytes(NAME)), "metering_point": ""},
    )
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "Spaltenzuordnung bestätigen" in page
    # the columns are chosen from drop-downs of the file's own header, the proposal chosen already
    assert '<option value="Verbrauch kWh" selected>Verbrauch kWh</option>' in page
    assert '<option value="Zeitpunkt" selected>Zeitpunkt</option>' in page
    assert "<td>15.06.2026 00:15</td><td>0.084</td><td>0.000</td>" in page  # the first quarter-hours as read
    chosen = {
        "utility": leg.utility.pk,
        "name": "Portal X",
        "layout": "long",
        "timestamp_column": "Zeitpunkt",
        "labels": "start",
        "unit": "kWh",
        "metering_point_column": "Messpunkt",
        "consumption_columns": ["Produktion kWh"],
        "production_columns": ["Verbrauch kWh"],
    }
    swapped = client.post(preview_url, {**chosen, "preview_mapping": "1"}).content.decode()
    assert "<td>15.06.2026 00:15</td><td>0.000</td><td>0.084</td>" in swapped  # previewed, not saved
    assert not CsvMapping.objects.exists()
    chosen.update(consumption_columns=["Verbrauch kWh"], production_columns=["Produktion kWh"])
    client.post(preview_url, {**chosen, "confirm_mapping": "1"})
    saved = CsvMapping.objects.get()
    assert (saved.confirmed_by, saved.mapping) == (staff_user, sniff(fixture_bytes(NAME)).to_dict())
    shown = client.get(reverse("admin:metering_csvmapping_change", args=[saved.pk])).content.decode()
    assert '<th scope="row">Spalten Bezug</th><td>Verbrauch kWh</td>' in shown
    assert '<th scope="row">Trennzeichen</th><td>Komma (,)</td>' in shown
    assert '<th scope="row">Die Zeit nennt</th><td>den Beginn der Viertelstunde</td>' in shown
    page = client.get(preview_url).content.decode()
    assert "Spaltenzuordnung bestätigen" not in page
    client.post(preview_url, {})
    assert MeterImport.objects.get().status == "applied"
    assert DaySeries.objects.filter(metering_point__mp_id=BKW_POINT).count() == 4
