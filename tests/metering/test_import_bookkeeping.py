"""What an import leaves behind: a record for every file, a copy only of what is taken in, the real format of a
file delivered again, and a refusal by size before the file is read."""

import contextlib
import json
import os
import tracemalloc
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from communities.models import Door
from metering.models import DaySeries, MeterImport
from metering.services import meter_import_apply, meter_import_stage
from tests.metering.conftest import FIXTURES, fixture_bytes

pytestmark = pytest.mark.django_db

REJECTED_ERROR = "Der Messpunkt CH10099912345000000000000000A4711 ist nicht erfasst. Mitarbeitende können ihn anlegen."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def kept_files(media) -> list[str]:
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file())


def import_json(*args) -> dict:
    out = StringIO()
    with contextlib.suppress(CommandError):
        call_command("import_meter_data", *[str(a) for a in args], "--json", stdout=out)
    return json.loads(out.getvalue())["files"][0]


def test_a_rejected_file_keeps_its_record_but_no_copy(media):
    """No metering point of the file is known: rejected. Retried three times, it leaves three records, no file."""
    for _ in range(3):
        result = import_json(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
        assert (result["status"], result["errors"][0]["message"]) == ("rejected", REJECTED_ERROR)
    assert kept_files(media) == []
    records = MeterImport.objects.all()
    assert [(r.status, r.door, r.format, r.file.name) for r in records] == [("rejected", "command", "sdat-e66", "")] * 3
    assert {r.sha256 for r in records} == {MeterImport.hash_of(fixture_bytes("sdat-e66-v16-leg-2mp.xml"))}
    assert records[0].size == len(fixture_bytes("sdat-e66-v16-leg-2mp.xml"))
    assert records[0].problems[0]["message"] == REJECTED_ERROR


def test_a_setting_keeps_rejected_files(media, settings):
    settings.METER_IMPORT_KEEP_REJECTED_FILES = True
    import_json(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    record = MeterImport.objects.get()
    assert record.status == "rejected"
    assert kept_files(media) == [record.file.name]
    assert record.file.read() == fixture_bytes("sdat-e66-v16-leg-2mp.xml")


def test_an_upload_rejected_on_apply_drops_its_copy_and_the_same_upload_is_kept_once(media):
    data = fixture_bytes("sdat-e66-v16-leg-2mp.xml")
    first = meter_import_stage(data=data, filename="a.xml", actor=None, door=Door.ADMIN)
    second = meter_import_stage(data=data, filename="b.xml", actor=None, door=Door.ADMIN)
    assert second.file.name == first.file.name  # the same bytes waiting for a preview are kept once
    assert kept_files(media) == [first.file.name]
    outcome = meter_import_apply(meter_import=first)
    assert (outcome.status, outcome.errors[0].message) == ("rejected", REJECTED_ERROR)
    first.refresh_from_db()
    assert first.file.name == ""
    assert kept_files(media) == [second.file.name]  # still waiting for its preview
    meter_import_apply(meter_import=second)
    assert kept_files(media) == []


def test_the_same_file_again_is_reported_with_its_format(leg):
    import_json(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    again = import_json(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    assert (again["status"], again["format"]) == ("unchanged", "sdat-e66")
    assert MeterImport.objects.filter(status="unchanged").get().format == "sdat-e66"
    dry = import_json(FIXTURES / "sdat-e66-v16-leg-2mp.xml", "--dry-run")
    assert (dry["status"], dry["format"]) == ("dry-run", "sdat-e66")
    out = StringIO()
    call_command("import_meter_data", str(FIXTURES / "sdat-e66-v16-leg-2mp.xml"), stdout=out)
    first = out.getvalue().splitlines()[0]  # "<file>: <status> (<format>)"; the status words are the lang part's
    assert (first.split(": ")[0], first.rsplit(" ", 1)[1]) == ("sdat-e66-v16-leg-2mp.xml", "(sdat-e66)")


def test_a_file_over_the_limit_is_refused_by_its_size_without_reading_it(leg, settings, tmp_path):
    settings.METER_IMPORT_MAX_BYTES = 512 * 1024 * 1024
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:  # 600 MB of nothing: sparse, so the test costs no disk
        handle.truncate(600 * 1024 * 1024)
    tracemalloc.start()
    try:
        result = import_json(huge)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result["errors"][0]["message"] == "Die Datei ist 600.0\xa0MB gross; angenommen werden höchstens 512.0\xa0MB."
    assert result["status"] == "rejected"
    assert peak < 5 * 1024 * 1024  # reading it would take 600 MB
    assert (MeterImport.objects.count(), DaySeries.objects.count()) == (0, 0)
    assert os.path.getsize(huge) == 600 * 1024 * 1024


def test_an_upload_over_the_limit_is_refused_before_it_is_kept(leg, settings, admin_client, media):
    settings.METER_IMPORT_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.xml", fixture_bytes("sdat-e66-v12-basic.xml"))
    response = admin_client.post(reverse("admin:metering_meterimport_upload"), {"file": upload}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Die Datei ist 14.8\xa0KB gross; angenommen werden höchstens 1000\xa0Bytes."
    ]
    assert (MeterImport.objects.count(), kept_files(media)) == (0, [])


def test_the_preview_of_a_rejected_upload_whose_copy_is_gone_leads_to_its_record(admin_client, media):
    staged = meter_import_stage(
        data=fixture_bytes("sdat-e66-v16-leg-2mp.xml"), filename="a.xml", actor=None, door=Door.ADMIN
    )
    meter_import_apply(meter_import=staged)
    response = admin_client.get(reverse("admin:metering_meterimport_preview", args=[staged.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:metering_meterimport_change", args=[staged.pk])
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert REJECTED_ERROR in page.content.decode()
