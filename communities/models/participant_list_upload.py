import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantListUpload(models.Model):
    """A participant list uploaded in the portal, kept between its preview and its application.

    The file's bytes live in the database, not under MEDIA_ROOT: nothing of the user's file name reaches a path,
    and the upload is found only by its random token together with its community and the user who uploaded it.
    """

    token = models.UUIDField(_("Kennung"), default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="participant_list_uploads",
        verbose_name=_("Gemeinschaft"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("hochgeladen von")
    )
    filename = models.CharField(_("Dateiname"), max_length=200)
    content = models.BinaryField(_("Inhalt"))
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)
    applied_at = models.DateTimeField(_("übernommen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("hochgeladene Teilnehmerliste")
        verbose_name_plural = _("hochgeladene Teilnehmerlisten")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename
