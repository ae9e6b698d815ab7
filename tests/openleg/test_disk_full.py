"""A full disk under MEDIA_ROOT: the write fails with a sentence people understand and leaves nothing behind — no
partial file, no meter import pointing at a file that is not there, no invoice PDF record without its file.

The disk is real: a 256 KB tmpfs mounted as MEDIA_ROOT (root may mount here), filled with a ballast file beside it up
to the room a test wants. Where mounting is not permitted (or with OPENLEG_DISK_FULL_INJECT=1) the same tests run on
a failure injected at the file system write instead: the storage's writes fail with ENOSPC once the room is used.
"""

import errno
import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import InvoicePdf
from billing.services import billing_run_approve, billing_run_start
from communities.models import Door
from documents.forms import PaperSignatureForm
from documents.invoice_pdfs import PdfProgress, invoice_pdfs_render_later, pdf_progress
from documents.models import PaperSignature, SignatureState
from metering.models import DaySeries, MeterImport
from metering.services import meter_file_import
from openleg.storage import StorageFull
from tests.accounts.factories import UtilityUserFactory
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)
from tests.documents.test_signing import make_document
from tests.metering.conftest import fixture_bytes, leg  # noqa: F401
from tests.metering.test_portal_meter_data import said

pytestmark = pytest.mark.django_db

SDAT = "sdat-e66-v16-leg-2mp.xml"  # 95,716 bytes
FULL = "Speicher voll: die Datei wurde nicht gespeichert."


class TmpfsDisk:
    """A real 256 KB file system: MEDIA_ROOT on it, the ballast beside MEDIA_ROOT."""

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.media = mount / "media"
        self.media.mkdir()

    def leave(self, room: int) -> None:
        ballast = self.mount / "ballast"
        ballast.unlink(missing_ok=True)
        stat = os.statvfs(self.mount)
        with ballast.open("wb") as handle:
            handle.write(b"\0" * max(stat.f_bavail * stat.f_frsize - room, 0))

    def free(self) -> None:
        (self.mount / "ballast").unlink(missing_ok=True)


class InjectedDisk:
    """The fallback: the storage's writes into MEDIA_ROOT fail with ENOSPC once ``room`` bytes are written."""

    def __init__(self, media: Path, monkeypatch) -> None:
        self.media = media
        self.room: int | None = None
        real = os.fdopen
        disk = self

        class Limited:
            def __init__(self, handle) -> None:
                self.handle = handle

            def write(self, data) -> int:
                if disk.room is not None and len(data) > disk.room:
                    # What fits is written, as on a real disk; the room stays, as the storage removes the partial
                    # file (the test asserts that it does).
                    self.handle.write(data[: disk.room])
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                if disk.room is not None:
                    disk.room -= len(data)
                return self.handle.write(data)

            def __getattr__(self, name):
                return getattr(self.handle, name)

        def fdopen(fd, *args, **kwargs):
            handle = real(fd, *args, **kwargs)
            inside = os.readlink(f"/proc/self/fd/{fd}").startswith(str(media))
            return Limited(handle) if inside else handle

        monkeypatch.setattr(os, "fdopen", fdopen)

    def leave(self, room: int) -> None:
        self.room = room

    def free(self) -> None:
        self.room = None


@pytest.fixture
def disk(settings, tmp_path, monkeypatch):
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = (
        os.environ.get("OPENLEG_DISK_FULL_INJECT") != "1"
        and (
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
        ).returncode
        == 0
    )
    full = TmpfsDisk(mount) if mounted else InjectedDisk(mount / "media", monkeypatch)
    full.media.mkdir(exist_ok=True)
    settings.MEDIA_ROOT = full.media
    yield full
    if mounted and subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def files_in(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def test_a_file_larger_than_the_room_left_is_refused_and_nothing_of_it_stays(disk):
    disk.leave(32 * 1024)

    with pytest.raises(StorageFull) as refused:
        default_storage.save("meter-imports/big.xml", ContentFile(b"x" * 96 * 1024))

    assert refused.value.message == FULL
    assert files_in(disk.media) == []
    assert default_storage.save("meter-imports/small.xml", ContentFile(b"x" * 1024)) == "meter-imports/small.xml"
    assert files_in(disk.media) == ["meter-imports/small.xml"]


def test_a_meter_file_on_a_full_disk_is_rejected_and_recorded_nowhere(disk, leg):  # noqa: F811
    disk.leave(32 * 1024)

    outcome = meter_file_import(data=fixture_bytes(SDAT), filename=SDAT, actor=None, door=Door.COMMAND)

    assert (outcome.status, [error.message for error in outcome.errors], outcome.meter_import) == (
        "rejected",
        [FULL],
        None,
    )
    assert (MeterImport.objects.count(), DaySeries.objects.count(), files_in(disk.media)) == (0, 0, [])

    disk.free()
    again = meter_file_import(data=fixture_bytes(SDAT), filename=SDAT, actor=None, door=Door.COMMAND)

    assert (again.status, MeterImport.objects.get().status, DaySeries.objects.count()) == ("applied", "applied", 12)
    assert files_in(disk.media) == [MeterImport.objects.get().file.name]


def test_a_portal_upload_on_a_full_disk_says_so_and_keeps_nothing(client, disk, leg):  # noqa: F811
    client.force_login(UtilityUserFactory(utility=leg.utility, portal_role="desk"))
    disk.leave(32 * 1024)

    response = client.post("/utility/meter-data/", {"files": [SimpleUploadedFile(SDAT, fixture_bytes(SDAT))]})

    assert (response.status_code, response["Location"]) == (302, "/utility/meter-data/")
    assert said(response) == [f"{SDAT}: {FULL}"]
    assert (MeterImport.objects.count(), files_in(disk.media)) == (0, [])


def test_an_admin_upload_on_a_full_disk_says_so_and_keeps_nothing(staff, disk, leg):  # noqa: F811
    disk.leave(32 * 1024)

    response = staff.post(
        "/admin/metering/meterimport/upload/",
        {"file": SimpleUploadedFile(SDAT, fixture_bytes(SDAT)), "metering_point": "", "utility": ""},
    )

    assert (response.status_code, response["Location"]) == (302, "/admin/metering/meterimport/upload/")
    assert said(response) == [f"{SDAT}: {FULL}"]
    assert (MeterImport.objects.count(), files_in(disk.media)) == (0, [])


def test_invoice_pdfs_on_a_full_disk_are_not_recorded_the_run_says_why_and_a_retry_renders_them(
    march_community,  # noqa: F811
    disk,
    staff_user,
    django_capture_on_commit_callbacks,
):
    march_community.iban = "CH93 0076 2011 6238 5295 7"
    march_community.save()
    run = billing_run_start(community=march_community, year=2026, month=3)
    disk.leave(40 * 1024)  # two PDFs of about 18 KB fit, not the third: the two written go again with the rest

    with django_capture_on_commit_callbacks(execute=True):
        billing_run_approve(run=run, actor=staff_user)

    numbers = sorted(invoice.display_number for invoice in run.invoices.all())
    assert pdf_progress(run=run) == PdfProgress(
        done=0,
        total=5,
        error=f"Speicher voll: die PDFs {numbers[0]} bis {numbers[-1]} wurden nicht gespeichert.",
    )
    assert (InvoicePdf.objects.count(), files_in(disk.media)) == (0, [])

    disk.free()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_pdfs_render_later(run=run, actor=staff_user, door=Door.ADMIN)

    assert pdf_progress(run=run) == PdfProgress(done=5, total=5, error="")
    assert files_in(disk.media) == sorted(pdf.file.name for pdf in InvoicePdf.objects.all())


def test_a_paper_signature_scan_on_a_full_disk_is_refused_by_the_form_and_nothing_is_recorded(disk, staff_user):
    document = make_document(b"%PDF-1.7 Vereinbarung")
    kept = files_in(disk.media)
    disk.leave(16 * 1024)
    form = PaperSignatureForm(
        data={"signed_on": timezone.localdate(document.created_at).isoformat(), "note": ""},
        files={"scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.7 " + b"x" * 64 * 1024)},
    )
    assert form.is_valid(), form.errors

    assert form.record(document=document, actor=staff_user, door=Door.ADMIN) is None

    document.refresh_from_db()
    assert form.non_field_errors() == [FULL]
    assert (PaperSignature.objects.count(), document.signature_state) == (0, SignatureState.UNSIGNED)
    assert files_in(disk.media) == kept
