"""Writes of meter data. A file is applied whole or not at all. Every file is recorded; its bytes are kept once,
and those of a rejected file only when ``METER_IMPORT_KEEP_REJECTED_FILES`` asks for them."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from communities.models import Door, MeteringPoint
from communities.services import metering_point_create
from metering.analysis import Analysis, analyse, replan, stored_since
from metering.messages import Finding
from metering.models import MeterImport
from metering.parsers import GenericMapping
from metering.storing import keep_notes, lock_series, write_rows
from openleg.periods import utc_now
from openleg.storage import StorageFull
from pipeline.models import Utility


@dataclass
class ImportOutcome:
    """What happened to one file, for every door to render."""

    filename: str
    status: str  # "applied", "superseded", "unchanged", "rejected", "dry-run"
    analysis: Analysis | None
    meter_import: MeterImport | None
    errors: list[Finding]
    warnings: list[Finding]
    earlier: MeterImport | None = None  # the import that took the same bytes in before

    @property
    def ok(self) -> bool:
        return self.status != MeterImport.Status.REJECTED

    @property
    def format(self) -> str | None:
        if self.analysis is not None:
            return self.analysis.format
        return (self.earlier.format or None) if self.earlier is not None else None  # a re-import: as read then

    def as_dict(self) -> dict:
        return {
            "file": self.filename,
            "format": self.format,
            "status": self.status,
            "import_id": self.meter_import.pk if self.meter_import else None,
            "slots_superseded": self.analysis.count("superseded") if self.analysis else 0,
            "series": [plan.summary() for plan in self.analysis.plans] if self.analysis else [],
            "errors": [finding.as_dict() for finding in self.errors],
            "warnings": [finding.as_dict() for finding in self.warnings],
        }


_TAKEN_IN = (MeterImport.Status.APPLIED, MeterImport.Status.SUPERSEDED)


def _applied_before(sha256: str) -> MeterImport | None:
    """The import that took these bytes in before: applied, or superseded (it would be superseded again)."""
    return MeterImport.objects.filter(sha256=sha256, status__in=_TAKEN_IN).first()


def meter_import_stage(
    *, data: bytes, filename: str, actor, door: Door | str, metering_point: str = "", utility=None
) -> MeterImport:
    """Keep the delivered file and record it, before anything is decided (admin preview, large files)."""
    meter_import = _unsaved_import(
        data=data, filename=filename, actor=actor, door=door, metering_point=metering_point, utility=utility
    )
    meter_import.sha256 = MeterImport.hash_of(data)
    kept = _kept_copy(meter_import.sha256)
    if kept:
        meter_import.file.name = kept  # the same bytes are kept once, also when uploaded again for a preview
    else:
        meter_import.file.save(filename, _WholeContent(data), save=False)
    meter_import.save()
    return meter_import


def _kept_copy(sha256: str) -> str:
    """Where the bytes with this hash are kept already: those of the import that took them in, else any."""
    taken_in = _applied_before(sha256)
    if taken_in is not None and taken_in.file.name:
        return taken_in.file.name
    return MeterImport.objects.filter(sha256=sha256).exclude(file="").values_list("file", flat=True).first() or ""


def _drop_rejected_copy(meter_import: MeterImport) -> None:
    """A rejected file keeps its record (who, when, why) but not its bytes, unless a setting asks for them: every
    retry of a rejected file of hundreds of MB would otherwise add a copy. Bytes another import still refers to
    (a preview of the same upload) stay."""
    name = meter_import.file.name
    if settings.METER_IMPORT_KEEP_REJECTED_FILES or not name:
        return
    meter_import.file.name = ""
    meter_import.save(update_fields=["file"])
    if not MeterImport.objects.filter(file=name).exists():
        meter_import.file.storage.delete(name)


class _WholeContent(ContentFile):
    """The delivered bytes handed to the storage in one piece: a file system storage writes them with one call
    instead of copying them 64 KB at a time first (a month of SDAT is a few hundred MB)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.whole = data

    def chunks(self, chunk_size: int | None = None):
        yield self.whole


def _unsaved_import(
    *, data: bytes, filename: str, actor, door: Door | str, metering_point: str, utility
) -> MeterImport:
    return MeterImport(
        created_at=utc_now(),
        actor=recorded_user(actor),
        door=door,
        utility=utility,
        filename=filename[:255],
        size=len(data),
        status=MeterImport.Status.PREVIEW,
        metering_point_hint=metering_point or "",
    )


def _stage_while_analysing(
    *, data: bytes, filename: str, actor, door: Door | str, metering_point: str, mapping: GenericMapping | None
) -> tuple[MeterImport, Analysis, MeterImport | None]:
    """``meter_import_stage`` and the analysis at once, with the import this file was applied by before, if any.

    Hashing and writing a file release the GIL, so a large file is hashed and kept on another thread while this
    one parses it. The file is written before it is known whether the same bytes were applied before; then the
    copy is removed again, so that the same bytes are still kept once.
    """
    meter_import = _unsaved_import(
        data=data, filename=filename, actor=actor, door=door, metering_point=metering_point, utility=None
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        keeping = pool.submit(_hash_and_keep, meter_import, data, filename)
        try:
            analysis = _analyse_staged(meter_import, data, mapping)
        finally:
            keeping.result()
            previous = _applied_before(meter_import.sha256)
            if previous is not None:
                meter_import.file.storage.delete(meter_import.file.name)
                meter_import.file.name = previous.file.name
            meter_import.save()
    return meter_import, analysis, previous


def _hash_and_keep(meter_import: MeterImport, data: bytes, filename: str) -> None:
    """Runs on a thread of its own: no database here."""
    meter_import.sha256 = MeterImport.hash_of(data)
    meter_import.file.save(filename, _WholeContent(data), save=False)


def _analyse_staged(meter_import: MeterImport, data: bytes, mapping: GenericMapping | None) -> Analysis:
    # A utility's own users (the portal) bring data of their own metering points only; staff any utility's.
    own_points_only = meter_import.utility_id if meter_import.door == Door.PORTAL else None
    return analyse(
        data=data,
        filename=meter_import.filename,
        metering_point=meter_import.metering_point_hint,
        mapping=mapping,
        utility=meter_import.utility,
        received_at=meter_import.created_at,
        points_of_utility=own_points_only,
    )


def meter_import_preview(*, meter_import: MeterImport, mapping: GenericMapping | None = None) -> Analysis:
    """What applying the staged file would change; writes nothing."""
    with meter_import.file.open("rb") as handle:
        data = handle.read()
    return _analyse_staged(meter_import, data, mapping)


def metering_points_create_unknown(*, mp_ids: list[str], actor) -> list[MeteringPoint]:
    """Staff may register points a delivery names but we do not know yet; the VNB comes from the id."""
    utilities = {u.vnb_number: u for u in Utility.objects.filter(vnb_number__in={mp[2:8] for mp in mp_ids})}
    missing = sorted({mp[2:8] for mp in mp_ids} - set(utilities))
    if missing:
        raise ValidationError(
            _("Kein Netzbetreiber mit der VNB-Nummer %(numbers)s erfasst.") % {"numbers": ", ".join(missing)}
        )
    with transaction.atomic():
        return [
            metering_point_create(
                actor=actor, door=Door.ADMIN, mp_id=mp_id, utility=utilities[mp_id[2:8]], connection_capacity_kw=0
            )
            for mp_id in mp_ids
            if not MeteringPoint.objects.filter(mp_id=mp_id).exists()
        ]


def meter_import_apply(
    *, meter_import: MeterImport, mapping: GenericMapping | None = None, data: bytes | None = None
) -> ImportOutcome:
    """Parse, check and store a staged file; safe to run twice (a second run changes nothing).

    ``data`` spares reading back a file the caller still holds; it must be the staged file's bytes.
    """
    if data is None:
        with meter_import.file.open("rb") as handle:
            data = handle.read()
    previous = _applied_before(meter_import.sha256)
    if previous is not None:
        return _unchanged(meter_import, previous)
    return _apply_analysis(meter_import, _analyse_staged(meter_import, data, mapping))


def _apply_analysis(meter_import: MeterImport, analysis: Analysis) -> ImportOutcome:
    """Record what the analysis found and, when nothing is wrong, store the file's rows in one transaction."""
    meter_import.format = analysis.format or ""
    meter_import.series = [plan.summary() for plan in analysis.plans]
    meter_import.problems = [finding.as_dict() for finding in analysis.errors]
    meter_import.warnings = [finding.as_dict() for finding in analysis.warnings]
    meter_import.utility_id = meter_import.utility_id or _sole_utility(analysis)
    meter_import.document_created_at = analysis.delivery.created_at
    meter_import.document_id = analysis.delivery.document_id[:100]
    if analysis.errors:
        meter_import.status = MeterImport.Status.REJECTED
        meter_import.save()
        _drop_rejected_copy(meter_import)
        return ImportOutcome(
            meter_import.filename, meter_import.status, analysis, meter_import, analysis.errors, analysis.warnings
        )
    try:
        with transaction.atomic():
            # Claim the staged import: of two workers applying it, the second finds it done.
            claimed = MeterImport.objects.select_for_update().filter(
                pk=meter_import.pk, status=MeterImport.Status.PREVIEW
            )
            if not claimed.exists():
                meter_import.refresh_from_db()
                return ImportOutcome(meter_import.filename, meter_import.status, analysis, meter_import, [], [])
            lock_series(analysis)
            if stored_since(analysis):  # another import changed these rows since the plan: plan again, locked
                replan(analysis)
                meter_import.series = [plan.summary() for plan in analysis.plans]
                meter_import.warnings = [finding.as_dict() for finding in analysis.warnings]
            superseded = analysis.wholly_superseded
            meter_import.status = MeterImport.Status.SUPERSEDED if superseded else MeterImport.Status.APPLIED
            meter_import.applied_at = utc_now()
            meter_import.slots_new = analysis.count("new")
            meter_import.slots_changed = analysis.count("changed")
            meter_import.slots_unchanged = analysis.count("unchanged")
            meter_import.slots_superseded = analysis.count("superseded")
            meter_import.save()
            if not superseded:
                write_rows(analysis, meter_import)
            keep_notes(analysis, meter_import)
    except IntegrityError:
        # Another worker applied the same file first: the database decided, we report it.
        meter_import.refresh_from_db()
        previous = _applied_before(meter_import.sha256)
        if previous is None:
            raise
        return _unchanged(meter_import, previous)
    return ImportOutcome(meter_import.filename, meter_import.status, analysis, meter_import, [], analysis.warnings)


def meter_import_queue(*, meter_import: MeterImport) -> bool:
    """Claim a staged import for applying (a person's "apply"): of two submits, only the first gets True."""
    startable = (MeterImport.RunState.NONE, MeterImport.RunState.FAILED)  # a crashed run may be tried again
    claimed = MeterImport.objects.filter(
        pk=meter_import.pk, status=MeterImport.Status.PREVIEW, run_state__in=startable
    ).update(run_state=MeterImport.RunState.QUEUED)
    meter_import.refresh_from_db(fields=["status", "run_state"])
    return claimed == 1


def meter_import_run(*, meter_import_id: int) -> ImportOutcome | None:
    """Apply a staged import, saying on it that it runs and, should it crash, that it failed (the portal shows
    it); None when it is not staged any more (applied meanwhile)."""
    staged = MeterImport.objects.filter(pk=meter_import_id, status=MeterImport.Status.PREVIEW)
    if not staged.update(run_state=MeterImport.RunState.RUNNING):
        return None
    meter_import = MeterImport.objects.get(pk=meter_import_id)
    try:
        outcome = meter_import_apply(meter_import=meter_import)
    except Exception:
        staged.update(run_state=MeterImport.RunState.FAILED)
        raise
    MeterImport.objects.filter(pk=meter_import_id).update(run_state=MeterImport.RunState.DONE)
    return outcome


def _sole_utility(analysis: Analysis) -> int | None:
    """The utility whose metering points the file carries, when it is one: the portal scopes imports by it."""
    points = {plan.metering_point_pk for plan in analysis.plans if plan.metering_point_pk}
    utilities = set(MeteringPoint.objects.filter(pk__in=points).values_list("utility_id", flat=True).distinct())
    return utilities.pop() if len(utilities) == 1 else None


def _already(previous: MeterImport, filename: str) -> Finding:
    code = "already_superseded" if previous.status == MeterImport.Status.SUPERSEDED else "already_imported"
    return Finding(code, filename, {"import_id": str(previous.pk)})


def _unchanged(meter_import: MeterImport, previous: MeterImport) -> ImportOutcome:
    note = _already(previous, meter_import.filename)
    meter_import.status = MeterImport.Status.UNCHANGED
    meter_import.format = previous.format
    meter_import.warnings = [note.as_dict()]
    meter_import.save(update_fields=["status", "format", "warnings"])
    return ImportOutcome(meter_import.filename, meter_import.status, None, meter_import, [], [note], previous)


def too_large(size: int, filename: str) -> Finding | None:
    """Files above ``METER_IMPORT_MAX_BYTES`` are refused before anything is kept: memory stays bounded."""
    limit = settings.METER_IMPORT_MAX_BYTES
    if size <= limit:
        return None
    return Finding("file_too_large", filename, {"size": filesizeformat(size), "limit": filesizeformat(limit)})


def meter_file_refused_by_size(*, size: int, filename: str) -> ImportOutcome | None:
    """The outcome of a file too large to be read at all, decided from its size alone (``os.stat``, an upload's
    size): doors ask before they read the file into memory."""
    oversize = too_large(size, filename)
    if oversize is None:
        return None
    return ImportOutcome(filename, MeterImport.Status.REJECTED, None, None, [oversize], [])


def meter_file_import(
    *,
    data: bytes,
    filename: str,
    actor,
    door: Door | str,
    metering_point: str = "",
    dry_run: bool = False,
    mapping: GenericMapping | None = None,
) -> ImportOutcome:
    """The one entry for a whole file: with ``dry_run`` nothing is recorded or stored."""
    refused = meter_file_refused_by_size(size=len(data), filename=filename)
    if refused is not None:
        return refused
    if dry_run:
        previous = _applied_before(MeterImport.hash_of(data))
        if previous is not None:
            note = _already(previous, filename)
            return ImportOutcome(filename, "dry-run", None, None, [], [note], previous)
        analysis = analyse(data=data, filename=filename, metering_point=metering_point, mapping=mapping)
        status = MeterImport.Status.REJECTED if analysis.errors else "dry-run"
        return ImportOutcome(filename, status, analysis, None, analysis.errors, analysis.warnings)
    try:
        meter_import, analysis, previous = _stage_while_analysing(
            data=data, filename=filename, actor=actor, door=door, metering_point=metering_point, mapping=mapping
        )
    except StorageFull:  # nothing kept, nothing recorded: the same file can simply be delivered again
        return ImportOutcome(filename, MeterImport.Status.REJECTED, None, None, [Finding("storage_full", filename)], [])
    if previous is not None:
        return _unchanged(meter_import, previous)
    return _apply_analysis(meter_import, analysis)
