import re
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Door
from openleg.protected_files import unguessable_path


class SignatureRequestState(models.TextChoices):
    DRAFT = "draft", _("vorbereitet")
    IN_PROGRESS = "in_progress", _("in Unterzeichnung")
    SIGNED = "signed", _("unterzeichnet")
    DECLINED = "declined", _("abgelehnt")
    WITHDRAWN = "withdrawn", _("zurückgezogen")
    FAILED = "failed", _("fehlgeschlagen")
    EXPIRED = "expired", _("abgelaufen")


# secrets.token_urlsafe(32): 32 random bytes as unpadded URL-safe base64, always 43 characters.
_CALLBACK_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_callback_token() -> str:
    return secrets.token_urlsafe(32)


def is_callback_token(value: str) -> bool:
    """Whether `value` has the shape of a token we make. Anything else (a NUL byte, which PostgreSQL refuses in a
    string, an overlong or foreign string) is no token of ours and need not reach the database."""
    return _CALLBACK_TOKEN_SHAPE.fullmatch(value) is not None


def signed_path(request: "SignatureRequest", filename: str) -> str:
    return unguessable_path(f"documents/{request.document.community_id}/signed", filename)


class SignatureRequest(models.Model):
    """A document sent out for electronic signature (DeepSign), with what was sent and what came back."""

    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="signature_request", verbose_name=_("Dokument")
    )
    provider_document_id = models.CharField(_("Dokument-ID beim Anbieter"), max_length=64, blank=True)
    callback_token = models.CharField(_("Rückruf-Token"), max_length=64, unique=True, default=new_callback_token)
    state = models.CharField(
        _("Status"), max_length=16, choices=SignatureRequestState.choices, default=SignatureRequestState.DRAFT
    )
    signers = models.JSONField(_("Unterzeichnende"), default=list)
    sent_sha256 = models.CharField(_("SHA-256 des gesendeten PDF"), max_length=64)
    signed_file = models.FileField(_("unterzeichnetes PDF"), upload_to=signed_path, max_length=255, blank=True)
    signed_sha256 = models.CharField(_("SHA-256 des unterzeichneten PDF"), max_length=64, blank=True)
    requested_at = models.DateTimeField(_("gesendet am"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gesendet durch"),
    )
    completed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("zuletzt geprüft am"), null=True, blank=True)
    last_status = models.JSONField(_("letzte Antwort des Anbieters"), default=dict, blank=True)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        verbose_name = _("Unterschriftsanfrage")
        verbose_name_plural = _("Unterschriftsanfragen")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.document} – {self.get_state_display()}"


def paper_scan_path(paper: "PaperSignature", filename: str) -> str:
    """Next to the DeepSign-signed PDFs, named after the document it signs (the uploaded name is not kept)."""
    document = paper.document
    return unguessable_path(
        f"documents/{document.community_id}/signed", f"{document.filename.removesuffix('.pdf')}-papier.pdf"
    )


class PaperSignature(models.Model):
    """A document signed on paper: the scan the LEG desk recorded, and who recorded it when."""

    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="paper_signature", verbose_name=_("Dokument")
    )
    scan = models.FileField(_("Scan"), upload_to=paper_scan_path, max_length=255)
    scan_sha256 = models.CharField(_("SHA-256 des Scans"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("Grösse (Bytes)"))
    signed_on = models.DateField(_("unterzeichnet am"), help_text=_("Das Datum auf dem Papier."))
    note = models.TextField(_("Bemerkung"), blank=True)
    recorded_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)

    class Meta:
        verbose_name = _("Papierunterschrift")
        verbose_name_plural = _("Papierunterschriften")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.document} – {self.signed_on:%d.%m.%Y}"
