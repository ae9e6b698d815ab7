from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import MeteringPoint
from metering.models import DaySeries, MeterImport
from tests.metering.conftest import CONSUMER, PRODUCER, fixture_bytes
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def upload(client, name: str, metering_point: str = ""):
    response = client.post(
        reverse("admin:metering_meterimport_upload"),
        {"file": SimpleUploadedFile(name, fixture_bytes(name)), "metering_point": metering_point},
    )
    assert response.status_code == 302
    return response["Location"]


def test_upload_shows_a_preview_and_changes_nothing_until_applied(client, staff_user, leg):
    client.force_login(staff_user)
    preview_url = upload(client, "sdat-e66-v16-leg-2mp.xml")
    page = client.get(preview_url).content.decode()
    assert "Was sich ändert" in page and CONSUMER in page and "18.359" in page
    assert DaySeries.objects.count() == 0
    assert MeterImport.objects.get().status == "preview"
    response = client.post(preview_url, {})
    assert response.status_code == 302
    meter_import = MeterImport.objects.get()
    assert (meter_import.status, meter_import.door, meter_import.actor) == ("applied", "admin", staff_user)
    assert DaySeries.objects.count() == 12


def test_preview_names_each_error_and_offers_no_apply(client, staff_user, leg, tmp_path):
    client.force_login(staff_user)
    bad = fixture_bytes("bkw.csv").replace(b";0.084;", b";-0.084;", 1)
    response = client.post(
        reverse("admin:metering_meterimport_upload"), {"file": SimpleUploadedFile("bkw.csv", bad), "metering_point": ""}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Fehler (die Datei wird so nicht übernommen)" in page
    assert "Negativer Wert" in page
    assert "Übernehmen" not in page


def test_staff_can_create_unknown_metering_points_from_the_preview(client, staff_user, db):
    UtilityFactory(vnb_number="100999")
    client.force_login(staff_user)
    preview_url = upload(client, "sdat-e66-v16-leg-2mp.xml")
    page = client.get(preview_url).content.decode()
    assert "Unbekannte Messpunkte anlegen" in page
    client.post(preview_url, {"create_unknown": "on"})
    assert set(MeteringPoint.objects.values_list("mp_id", flat=True)) == {CONSUMER, PRODUCER}
    assert MeterImport.objects.get().status == "applied"
    assert DaySeries.objects.count() == 12


def test_the_preview_and_the_history_of_an_older_file_say_it_was_superseded(client, staff_user, leg):
    from metering.sdat_writer import SdatSeries, write_e66
    from metering.services import meter_file_import

    def sdat(document_id: str, created: datetime, wh: int) -> bytes:
        series = SdatSeries(CONSUMER, "consumption", "total", datetime(2026, 6, 28, 22, 0, tzinfo=UTC), [wh] * 96)
        return write_e66([series], document_id=document_id, created=created)

    meter_file_import(
        data=sdat("Y", datetime(2026, 7, 5, 8, 0, tzinfo=UTC), 200), filename="B.xml", actor=None, door="command"
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:metering_meterimport_upload"),
        {"file": SimpleUploadedFile("A.xml", sdat("X", datetime(2026, 7, 3, 8, 0, tzinfo=UTC), 100))},
    )
    preview_url = response["Location"]
    warning = (
        "Die Lieferung «A.xml» (Dokument X, erstellt 03.07.2026 10:00) ist älter als die gespeicherte «B.xml» "
        "(Dokument Y, erstellt 05.07.2026 10:00): 96 Werte wurden nicht übernommen."
    )
    assert warning in client.get(preview_url).content.decode()
    client.post(preview_url, {})
    older = MeterImport.objects.get(filename="A.xml")
    assert (older.status, older.slots_superseded, older.document_id) == ("superseded", 96, "X")
    history = client.get(reverse("admin:metering_meterimport_changelist")).content.decode()
    assert "überholt" in history
    assert warning in client.get(reverse("admin:metering_meterimport_change", args=[older.pk])).content.decode()
