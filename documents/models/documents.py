from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Door
from openleg.choice_labels import ChoiceLabelsMixin
from openleg.protected_files import unguessable_path


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Gemeinschaftsvereinbarung")
    CONTRACT = "contract", _("Teilnehmervertrag")
    REGISTRATION = "registration", _("Anmeldung beim Netzbetreiber")


class SignatureState(models.TextChoices):
    NOT_REQUIRED = "not_required", _("keine Unterschrift nötig")
    UNSIGNED = "unsigned", _("nicht unterzeichnet")
    OUT_FOR_SIGNATURE = "out_for_signature", _("in Unterzeichnung")
    SIGNED = "signed", _("unterzeichnet")
    DECLINED = "declined", _("abgelehnt")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


def document_path(document: "Document", filename: str) -> str:
    return unguessable_path(f"documents/{document.community_id}/{document.kind}", filename)


class Document(ChoiceLabelsMixin, models.Model):
    """One version of one generated PDF. A new version is a new row; a stored PDF never changes.

    ``subject`` names what the document is about within its kind: empty for the community's own
    documents, ``participant:<id>`` for a contract. Invoice PDFs are not documents: see ``billing.InvoicePdf``.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="documents", verbose_name=_("Gemeinschaft")
    )
    kind = models.CharField(_("Art"), max_length=16, choices=DocumentKind.choices)
    subject = models.CharField(_("Gegenstand"), max_length=64, blank=True)
    participant = models.ForeignKey(
        "communities.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("Teilnehmende"),
    )
    version = models.PositiveIntegerField(_("Version"))
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(_("PDF"), upload_to=document_path, max_length=255)
    sha256 = models.CharField(_("SHA-256 des PDF"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("Grösse (Bytes)"))
    source_sha256 = models.CharField(
        _("SHA-256 der Vorlage mit Daten"),
        max_length=64,
        help_text=_("Gleiche Daten ergeben keine neue Version."),
    )
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erstellt durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    signature_state = models.CharField(
        _("Unterschrift"), max_length=20, choices=SignatureState.choices, default=SignatureState.UNSIGNED
    )

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["community", "kind", "subject", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "subject", "version"], name="document_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="document_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
