"""Signatures on paper: the LEG desk scans a signed formation document and records it, after which the document
counts as signed exactly as if DeepSign had returned it (the formation workflow reads only the document's state)."""

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from communities.models import Door
from documents.models import Document, PaperSignature, SignatureState
from documents.signing import SignatureRefused, document_state_set, signable_check
from openleg.formats import format_day
from openleg.periods import local_date, local_today

MAX_SCAN_BYTES = 20 * 1024 * 1024


def paper_signature_record(
    *, document: Document, scan: bytes, signed_on: date, note: str, actor, door: Door | str
) -> PaperSignature:
    """Record that ``document`` was signed on paper on ``signed_on``, with the scan of the signed paper."""
    paper = None
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document.pk)
            _check_recordable(document)
            _check_scan(scan)
            _check_day(signed_on, document)
            paper = PaperSignature(
                document=document,
                scan_sha256=hashlib.sha256(scan).hexdigest(),
                size_bytes=len(scan),
                signed_on=signed_on,
                note=note.strip(),
                recorded_by=recorded_user(actor),
                door=door,
            )
            paper.scan.save(document.filename, ContentFile(scan), save=False)
            paper.save()
            document_state_set(document, SignatureState.SIGNED, actor=actor, door=door)
    except BaseException:
        # The stored file is not part of the transaction: a record rolled back must not leave it behind.
        if paper is not None and paper.scan:
            paper.scan.delete(save=False)
        raise
    return paper


def paper_signature_recordable(document: Document) -> bool:
    """Whether ``document`` can take a paper signature now, by the rules ``paper_signature_record`` checks first."""
    try:
        _check_recordable(document)
    except SignatureRefused:
        return False
    return True


def _check_recordable(document: Document) -> None:
    signable_check(
        document,
        wrong_kind=_(
            "Unterschriften werden nur für die Gemeinschaftsvereinbarung, Teilnehmerverträge und die Anmeldung beim "
            "Netzbetreiber erfasst."
        ),
        out_for_signature=_(
            "Dieses Dokument ist bei DeepSign in Unterzeichnung; bitte ziehen Sie die Anfrage zuerst zurück."
        ),
        newer_version=_(
            "Es gibt eine neuere Version dieses Dokuments; bitte erfassen Sie die Unterschrift auf dieser."
        ),
    )


def _check_scan(scan: bytes) -> None:
    if not scan:
        raise SignatureRefused(_("Die Datei ist leer."))
    if not scan.startswith(b"%PDF-"):
        raise SignatureRefused(_("Die Datei ist kein PDF."))
    if len(scan) > MAX_SCAN_BYTES:
        raise SignatureRefused(_("Die Datei ist grösser als 20 MB."))


def _check_day(signed_on: date, document: Document) -> None:
    if signed_on > local_today():
        raise SignatureRefused(_("Das Unterschriftsdatum %(day)s liegt in der Zukunft.") % {"day": _swiss(signed_on)})
    created = local_date(document.created_at)
    if signed_on < created:
        raise SignatureRefused(
            _("Das Unterschriftsdatum %(day)s liegt vor der Erstellung des Dokuments (%(created)s).")
            % {"day": _swiss(signed_on), "created": _swiss(created)}
        )


def _swiss(day: date) -> str:
    return format_day(day)
