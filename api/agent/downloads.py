"""Signed, expiring download links for the agent: a document's PDF or an issued invoice's PDF, never a media path.

The link carries ``<kind>:<id>`` signed with a timestamp; the view checks the signature and the age
(``AGENT_DOWNLOAD_URL_SECONDS``, default 900) and streams the file. Anyone holding a fresh link may fetch the file,
so links are only handed to a caller who may see the file, and they expire soon.
"""

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.http import FileResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api.errors import ApiError
from billing.models import InvoicePdf
from documents.models import Document

PREFIX = "/api/agent/v1/downloads/"  # where the integrator mounts api.agent.download_urls
_SALT = "api.agent.downloads"
_FILES = {"document": Document, "invoice_pdf": InvoicePdf}


def _signer() -> TimestampSigner:
    return TimestampSigner(salt=_SALT)


def lifetime_seconds() -> int:
    return getattr(settings, "AGENT_DOWNLOAD_URL_SECONDS", 900)


def download_url(kind: str, pk: int) -> str:
    """A fresh link to the file of ``kind`` ("document" or "invoice_pdf") number ``pk``."""
    if kind not in _FILES:
        raise ValueError(f"no downloads of {kind}")
    return f"{PREFIX}{_signer().sign(f'{kind}:{pk}')}/"


def _refusal(error: ApiError) -> JsonResponse:
    return JsonResponse(error.body(), status=error.status, json_dumps_params={"ensure_ascii": False})


@require_GET
def download(request, token: str):
    try:
        value = _signer().unsign(token, max_age=lifetime_seconds())
    except SignatureExpired:
        return _refusal(
            ApiError("download_expired", _("Dieser Download-Link ist abgelaufen; bitte einen neuen holen."), status=410)
        )
    except BadSignature:
        return _refusal(ApiError("download_invalid", _("Dieser Download-Link ist ungültig."), status=403))
    kind, _sep, pk = value.partition(":")
    stored = _FILES[kind].objects.filter(pk=pk).first()
    if stored is None or not stored.file:
        return _refusal(ApiError("not_found", _("Die Datei gibt es nicht mehr."), status=404))
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
