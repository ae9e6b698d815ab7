"""The portal's meter data pages: upload one or more files, the preview of each, apply (now or by the task), the
import history; only the utility's own points and imports, for the desk to write and the viewer to read."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.b2b.cache import bump_generation
from communities.models import Door, MeteringPoint
from metering.models import DaySeries, MeterImport
from tests.accounts.factories import UtilityUserFactory
from tests.metering.conftest import BKW_POINT, CONSUMER, PRODUCER, fixture_bytes

pytestmark = pytest.mark.django_db

SDAT = "sdat-e66-v16-leg-2mp.xml"
LIST_URL = "/utility/meter-data/"


@pytest.fixture
def desk(client, leg):
    user = UtilityUserFactory(utility=leg.utility, portal_role="desk", first_name="Dora", last_name="Desk")
    client.force_login(user)
    return user


def upload(client, *names: str, contents: dict | None = None, **extra):
    files = [SimpleUploadedFile(name, (contents or {}).get(name) or fixture_bytes(name)) for name in names]
    return client.post(LIST_URL, {"files": files, "metering_point": "", **extra})


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def kwh_stored(mp_id: str, direction: str, channel: str) -> int:
    from metering.daybuckets import from_bytes

    rows = DaySeries.objects.filter(metering_point__mp_id=mp_id, direction=direction, channel=channel)
    return sum(int(from_bytes(row.values, row.quality)[0].sum()) for row in rows)


def test_one_sdat_file_is_previewed_with_its_series_and_applied_with_its_control_totals(client, desk, leg):
    response = upload(client, SDAT)
    meter_import = MeterImport.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/utility/meter-data/{meter_import.pk}/")

    page = client.get(response["Location"]).content.decode()
    assert "Vorschau: sdat-e66-v16-leg-2mp.xml" in page
    assert "SDAT-CH E66 (Messwerte)" in page
    for text in (CONSUMER, PRODUCER, "18.359", "11.333", "42.191", "35.165", "7.026", "Bezug LEG-Anteil"):
        assert text in page
    assert "576 neue Werte, 0 überschriebene, 0 unverändert, 0 von neueren Lieferungen überholt" in page
    assert ">Übernehmen</button>" in page
    assert (DaySeries.objects.count(), meter_import.status) == (0, "preview")

    response = client.post(response["Location"], {"apply": "1"})

    assert said(response) == ["sdat-e66-v16-leg-2mp.xml: übernommen, 576 neue und 0 geänderte Werte."]
    meter_import.refresh_from_db()
    assert (meter_import.status, meter_import.run_state, meter_import.door) == ("applied", "done", Door.PORTAL)
    assert (meter_import.actor, meter_import.utility) == (desk, leg.utility)
    assert DaySeries.objects.count() == 12
    assert kwh_stored(CONSUMER, "consumption", "total") == 18_359_000  # mWh
    assert kwh_stored(CONSUMER, "consumption", "grid") == 11_333_000
    assert kwh_stored(CONSUMER, "consumption", "leg") == 7_026_000
    assert kwh_stored(PRODUCER, "production", "total") == 42_191_000
    assert kwh_stored(PRODUCER, "production", "leg") == 7_026_000
    result = client.get(f"/utility/meter-data/{meter_import.pk}/").content.decode()
    assert "übernommen" in result and "Übernahme abgeschlossen" in result and "18.359" in result


def test_a_second_apply_changes_nothing(client, desk, leg):
    url = upload(client, SDAT)["Location"]
    client.post(url, {"apply": "1"}, follow=True)
    rows = sorted(DaySeries.objects.values_list("pk", "updated_at"))

    response = client.post(url, {"apply": "1"})

    assert said(response) == ["sdat-e66-v16-leg-2mp.xml wird bereits übernommen oder ist erledigt."]
    assert sorted(DaySeries.objects.values_list("pk", "updated_at")) == rows
    assert MeterImport.objects.get().status == "applied"


def test_two_files_in_one_upload_get_a_preview_each_and_are_applied_together(client, desk, leg):
    response = upload(client, SDAT, "sdat-e66-v12-basic.xml")

    assert (response.status_code, response["Location"]) == (302, LIST_URL)
    assert said(response) == ["2 Dateien hochgeladen. Prüfen Sie die Vorschau jeder Datei und übernehmen Sie sie dann."]
    first, second = MeterImport.objects.order_by("pk")
    page = client.get(LIST_URL).content.decode()
    assert "Offene Vorschauen" in page
    for meter_import in (first, second):
        assert f'href="/utility/meter-data/{meter_import.pk}/"' in page
        assert f'name="imports" value="{meter_import.pk}"' in page
    assert "14.909" in client.get(f"/utility/meter-data/{second.pk}/").content.decode()

    response = client.post(LIST_URL, {"imports": [first.pk, second.pk], "apply_selected": "1"})

    assert response["Location"] == LIST_URL
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("applied", "applied")
    assert said(response)[0] == "sdat-e66-v16-leg-2mp.xml: übernommen, 576 neue und 0 geänderte Werte."
    assert said(response)[1].startswith("sdat-e66-v12-basic.xml: übernommen, 0 neue und ")
    assert "Offene Vorschauen" not in client.get(LIST_URL).content.decode()


def test_a_broken_file_shows_the_importers_message_and_stores_nothing(client, desk, leg):
    broken = fixture_bytes(SDAT)[:3000]
    url = upload(client, "kaputt.xml", contents={"kaputt.xml": broken})["Location"]

    page = client.get(url).content.decode()
    message = "Die XML-Datei ist fehlerhaft (Zeile 66, Spalte 10): ein Tag ist nicht mit «&gt;» abgeschlossen."
    assert "Fehler (die Datei wird so nicht übernommen)" in page and message in page
    assert ">Übernehmen</button>" not in page and "Als abgelehnt ablegen" in page

    response = client.post(url, {"apply": "1"})

    assert said(response) == [
        "kaputt.xml abgelehnt: Die XML-Datei ist fehlerhaft (Zeile 66, Spalte 10): ein Tag ist nicht mit «>» "
        "abgeschlossen."
    ]
    assert (MeterImport.objects.get().status, DaySeries.objects.count()) == ("rejected", 0)


def test_a_file_with_another_utilitys_point_is_refused_without_naming_that_utility(client, desk, leg):
    other = MeteringPoint.objects.get(mp_id=BKW_POINT).utility
    url = upload(client, "bkw.csv")["Location"]

    page = client.get(url).content.decode()

    message = (
        f"Der Messpunkt {BKW_POINT} ist in Ihrem Netzgebiet nicht erfasst; Messdaten anderer Messpunkte werden "
        "nicht übernommen."
    )
    assert message in page
    assert other.name not in page and other.short_name not in page
    assert ">Übernehmen</button>" not in page
    response = client.post(url, {"apply": "1"})
    assert said(response) == [f"bkw.csv abgelehnt: {message}"]
    assert (MeterImport.objects.get().status, DaySeries.objects.count()) == ("rejected", 0)


def test_the_same_file_is_taken_by_staff_in_the_admin(client, staff_user, leg):
    """The limit is the portal's: staff import any utility's points."""
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:metering_meterimport_upload"), {"file": SimpleUploadedFile("bkw.csv", fixture_bytes("bkw.csv"))}
    )
    client.post(response["Location"], {})
    assert MeterImport.objects.get().status == "applied"


def test_a_portal_user_cannot_create_unknown_points_and_is_told_so(client, desk, leg):
    MeteringPoint.objects.filter(mp_id=PRODUCER).update(mp_id="CH10099912345000000000000000X9999")
    url = upload(client, SDAT)["Location"]

    page = client.get(url).content.decode()

    assert f"Der Messpunkt {PRODUCER} ist nicht erfasst." in page
    assert "Messpunkte, die in OpenLEG nicht erfasst sind, können im Portal nicht angelegt werden." in page
    assert "create_unknown" not in page and ">Übernehmen</button>" not in page


def test_a_large_file_is_applied_by_the_task_and_its_page_follows_it(
    client, desk, leg, settings, django_capture_on_commit_callbacks
):
    settings.METER_IMPORT_ASYNC_BYTES = 1000
    url = upload(client, SDAT)["Location"]
    meter_import = MeterImport.objects.get()

    response = client.post(url, {"apply": "1"})  # the task is queued after the commit: not yet run

    assert said(response) == [
        "sdat-e66-v16-leg-2mp.xml wird im Hintergrund übernommen; die Seite des Imports zeigt den Stand."
    ]
    meter_import.refresh_from_db()
    assert (meter_import.status, meter_import.run_state) == ("preview", "queued")
    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and ">wartet</span>" in page

    MeterImport.objects.filter(pk=meter_import.pk).update(run_state="", status="preview")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url, {"apply": "1"})
    # the task; the stored data then makes the B2B figures' cache stale after its own commit
    assert len(callbacks) == 2 and callbacks[1] is bump_generation

    meter_import.refresh_from_db()
    assert (meter_import.status, meter_import.run_state, DaySeries.objects.count()) == ("applied", "done", 12)
    page = client.get(url).content.decode()
    assert "http-equiv" not in page
    assert ">übernommen</span>" in page and "Übernahme abgeschlossen" in page


def test_a_failed_background_run_says_so_and_may_be_tried_again(client, desk, leg):
    url = upload(client, SDAT)["Location"]
    meter_import = MeterImport.objects.get()
    MeterImport.objects.filter(pk=meter_import.pk).update(run_state="failed")

    page = client.get(url).content.decode()

    assert ">fehlgeschlagen</span>" in page and "Sie können es erneut versuchen." in page
    assert ">Übernehmen</button>" in page
    client.post(url, {"apply": "1"})
    assert MeterImport.objects.get().status == "applied"


def _imports(utility, count: int, start: datetime) -> None:
    for number in range(count):
        meter_import = MeterImport(
            created_at=start + timedelta(minutes=number),
            door=Door.PORTAL,
            utility=utility,
            filename=f"lieferung-{number:02d}.xml",
            sha256=f"{utility.pk:04d}{number:060d}",
            size=10,
            format="sdat-e66",
            status="applied",
            series=[{"kwh": "1.000"}],
            slots_new=96,
        )
        meter_import.file.save(meter_import.filename, ContentFile(b"<xml/>"), save=False)
        meter_import.save()


def test_the_history_lists_the_utilitys_imports_newest_first_25_a_page(client, desk, leg):
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    _imports(leg.utility, 30, start)
    other = MeteringPoint.objects.get(mp_id=BKW_POINT).utility
    MeterImport.objects.create(
        created_at=start, door="admin", utility=other, filename="fremd.xml", sha256="f" * 64, size=1, status="applied"
    )

    first = client.get(LIST_URL).content.decode()
    second = client.get(LIST_URL, {"page": 2}).content.decode()

    assert first.count("lieferung-") == 25 * 2  # the link's text and the download's name
    assert first.index("lieferung-29.xml") < first.index("lieferung-05.xml")
    assert "lieferung-04.xml" not in first and "Seite 1 von 2" in first
    assert "02.11.2026 09:29" in first  # Europe/Zurich
    assert first.count("<td>Portal</td>") == 25  # imports recorded without a person say their door
    assert second.count("lieferung-") == 5 * 2 and "lieferung-00.xml" in second
    assert "fremd.xml" not in first + second


def test_the_history_page_reads_the_same_number_of_queries_for_5_and_30_imports(client, desk, leg):
    counts = []
    for count in (5, 30):
        MeterImport.objects.all().delete()
        _imports(leg.utility, count, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL).status_code == 200
        counts.append(len(queries))
    assert counts == [counts[0], counts[0]]
    assert counts[0] <= 8


def test_the_original_file_downloads_for_its_utility_only(client, desk, leg):
    upload(client, SDAT)
    meter_import = MeterImport.objects.get()
    page = client.get(LIST_URL).content.decode()
    assert f'href="{meter_import.file.url}" download' in page
    response = client.get(meter_import.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == fixture_bytes(SDAT)

    client.force_login(UtilityUserFactory(utility=MeteringPoint.objects.get(mp_id=BKW_POINT).utility))
    assert client.get(meter_import.file.url).status_code == 404


def test_a_viewer_reads_but_may_not_upload_or_apply(client, desk, leg):
    url = upload(client, SDAT)["Location"]
    client.force_login(UtilityUserFactory(utility=leg.utility, portal_role="viewer"))

    assert client.get(LIST_URL).status_code == 200
    assert "Hochladen und prüfen" not in client.get(LIST_URL).content.decode()
    page = client.get(url).content.decode()
    assert "18.359" in page and ">Übernehmen</button>" not in page
    assert upload(client, SDAT).status_code == 403
    assert client.post(url, {"apply": "1"}).status_code == 403
    imports = {"imports": [MeterImport.objects.get().pk], "apply_selected": "1"}
    assert client.post(LIST_URL, imports).status_code == 403
    assert (MeterImport.objects.get().status, DaySeries.objects.count()) == ("preview", 0)


def test_another_utilitys_import_is_not_found_by_get_or_post(client, leg):
    owner = UtilityUserFactory(utility=leg.utility, portal_role="desk")
    client.force_login(owner)
    url = upload(client, SDAT)["Location"]
    foreign_pk = MeterImport.objects.get().pk
    stranger = UtilityUserFactory(utility=MeteringPoint.objects.get(mp_id=BKW_POINT).utility, portal_role="approver")
    client.force_login(stranger)

    assert client.get(url).status_code == 404
    assert client.post(url, {"apply": "1"}).status_code == 404
    assert client.post(url, {"confirm_mapping": "1"}).status_code == 404
    assert client.post(LIST_URL, {"imports": [foreign_pk], "apply_selected": "1"}).status_code == 404
    assert f"/utility/meter-data/{foreign_pk}/" not in client.get(LIST_URL).content.decode()
    assert (MeterImport.objects.get().status, DaySeries.objects.count()) == ("preview", 0)


def test_staff_are_refused_in_the_portal(client, staff_user, leg):
    client.force_login(staff_user)
    assert client.get(LIST_URL).status_code == 403


def test_the_desk_confirms_a_csv_mapping_for_its_own_utility_and_then_applies(client, leg):
    from metering.models import CsvMapping

    bkw = MeteringPoint.objects.get(mp_id=BKW_POINT).utility
    user = UtilityUserFactory(utility=bkw, portal_role="desk")
    client.force_login(user)
    url = upload(client, "generic-unseen-layout.csv")["Location"]
    page = client.get(url).content.decode()
    assert "Spaltenzuordnung bestätigen" in page
    assert 'name="utility"' not in page  # saved for the user's own utility, never another's
    assert '<option value="Verbrauch kWh" selected>Verbrauch kWh</option>' in page
    chosen = {
        "name": "Zähler-Export",
        "layout": "long",
        "timestamp_column": "Zeitpunkt",
        "labels": "start",
        "unit": "kWh",
        "metering_point_column": "Messpunkt",
        "consumption_columns": ["Produktion kWh"],
        "production_columns": ["Verbrauch kWh"],
    }
    swapped = client.post(url, {**chosen, "preview_mapping": "1"}).content.decode()
    assert "<td>15.06.2026 00:15</td><td>0.000</td><td>0.084</td>" in swapped
    assert not CsvMapping.objects.exists()

    chosen.update(consumption_columns=["Verbrauch kWh"], production_columns=["Produktion kWh"])
    response = client.post(url, {**chosen, "confirm_mapping": "1"})

    assert said(response) == ["Spaltenzuordnung gespeichert."]
    saved = CsvMapping.objects.get()
    assert (saved.utility, saved.confirmed_by, saved.name) == (bkw, user, "Zähler-Export")
    page = client.get(url).content.decode()
    assert "Spaltenzuordnung bestätigen" not in page and ">Übernehmen</button>" in page
    client.post(url, {"apply": "1"})
    assert MeterImport.objects.get().status == "applied"
    assert DaySeries.objects.filter(metering_point__mp_id=BKW_POINT).count() == 4


def test_a_viewer_may_not_confirm_a_mapping(client, leg):
    bkw = MeteringPoint.objects.get(mp_id=BKW_POINT).utility
    client.force_login(UtilityUserFactory(utility=bkw, portal_role="desk"))
    url = upload(client, "generic-unseen-layout.csv")["Location"]
    client.force_login(UtilityUserFactory(utility=bkw, portal_role="viewer"))
    page = client.get(url).content.decode()
    assert "Spaltenzuordnung bestätigen" in page and 'name="confirm_mapping"' not in page
    assert client.post(url, {"confirm_mapping": "1", "name": "x"}).status_code == 403


def test_a_file_above_the_size_limit_is_refused_before_anything_is_kept(client, desk, leg, settings):
    settings.METER_IMPORT_MAX_BYTES = 1024
    response = upload(client, SDAT)
    assert response["Location"] == LIST_URL
    assert said(response) == ["Die Datei ist 93.5\xa0KB gross; angenommen werden höchstens 1.0\xa0KB."]
    assert not MeterImport.objects.exists()


def test_an_upload_without_a_file_says_so(client, desk, leg):
    response = client.post(LIST_URL, {"metering_point": ""})
    assert said(response) == ["Dieses Feld ist zwingend erforderlich."]
    assert not MeterImport.objects.exists()
