"""DeepSign (DeepCloud AG), the e-signature service: the one module that talks HTTP to it, and the seam tests replace.

As DeepSign's public API documentation and two working third-party integrations read: bearer tokens;
``POST /documents/file`` (multipart: a ``data`` JSON part with ``companyId``, ``initiatorAliasName``, ``comment``,
``signatureMode``, ``sendMail``, ``callbackUrl`` and ``callbackEventTypes``, and a ``file`` part) answering
``documentId`` and ``documentStatus`` "draft"; ``POST /documents/{id}/signees`` (``email``, ``comment``,
``signOrder``, ``language``); ``PUT /documents/{id}/start`` and ``PUT /documents/{id}/withdraw`` answering 204;
the five document status words ``draft``, ``in-progress``, ``signed``, ``withdrawn``, ``rejected``; callbacks
carrying ``eventType``, ``documentId``, ``signeeId`` and ``timestamp``; signers have 30 days, and files are deleted
14 days after completion. Not verified against a live account (the README says how to check each on DeepSign's test
environment): the password grant at the SSO, ``GET /documents/{id}`` for the status, ``documentUrl`` as the signed
PDF once signed, and 404 for a document DeepSign no longer keeps.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from openleg.errors import DomainError

logger = logging.getLogger(__name__)

TIMEOUT = (5, 30)  # seconds to connect, seconds to wait for an answer; every call sets it
TOKEN_RENEW_BEFORE_SECONDS = 60
SIGNATURE_MODE = "advanced"  # advanced electronic signature (AES); "qualified" would be QES
SIGNER_LANGUAGE = "de"  # the language of DeepSign's invitation and signing pages
CALLBACK_EVENT_TYPES = ("signee-completed", "document-completed")
SIGNING_DAYS = 30  # how long DeepSign keeps a document open for its signers

# What a documented status word means for us. Any other word is logged and counts as still running.
PENDING, SIGNED, DECLINED, WITHDRAWN = "in_progress", "signed", "declined", "withdrawn"
_OUTCOMES = {
    "draft": PENDING,
    "in-progress": PENDING,
    "signed": SIGNED,
    "withdrawn": WITHDRAWN,
    "rejected": DECLINED,
}


class DeepSignError(DomainError):
    """DeepSign could not do what was asked; ``message`` says which call failed and how (German)."""

    code = "deepsign_error"


class DeepSignNotConfigured(DeepSignError):
    code = "deepsign_not_configured"


class DeepSignTemporarilyUnavailable(DeepSignError):
    """Maintenance (503) or too many calls (429): worth asking again later."""

    code = "deepsign_unavailable"


class DeepSignRateLimited(DeepSignTemporarilyUnavailable):
    code = "deepsign_rate_limited"


class DeepSignDocumentGone(DeepSignError):
    """DeepSign no longer keeps the document or its signed file (expired after the signing time, or deleted after
    completion): asking again will not help."""

    code = "deepsign_document_gone"


_SETTINGS = {
    "DEEPSIGN_CLIENT_ID": "client_id",
    "DEEPSIGN_CLIENT_SECRET": "client_secret",
    "DEEPSIGN_USERNAME": "username",
    "DEEPSIGN_PASSWORD": "password",
    "DEEPSIGN_COMPANY_ID": "company_id",
    "DEEPSIGN_BASE_URL": "base_url",
    "DEEPSIGN_TOKEN_URL": "token_url",
    "OPENLEG_PUBLIC_URL": "public_url",
}


@dataclass(frozen=True)
class DeepSignConfig:
    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)
    company_id: str
    base_url: str
    token_url: str
    public_url: str

    @classmethod
    def from_settings(cls) -> "DeepSignConfig":
        values = {name: str(getattr(settings, setting, "") or "").strip() for setting, name in _SETTINGS.items()}
        missing = [setting for setting, name in _SETTINGS.items() if not values[name]]
        if missing:
            raise DeepSignNotConfigured(
                _("DeepSign ist nicht eingerichtet: es fehlen %(names)s.") % {"names": ", ".join(missing)}
            )
        values["base_url"] = values["base_url"].rstrip("/")
        values["public_url"] = values["public_url"].rstrip("/")
        return cls(**values)


@dataclass(frozen=True)
class RemoteStatus:
    """A document's state as DeepSign reports it, with what we need from it picked out."""

    provider_status: str
    outcome: str  # PENDING, SIGNED, DECLINED or WITHDRAWN
    document_url: str
    completed_at: datetime | None
    raw: dict[str, Any]


def outcome_of(provider_status: str) -> str:
    if provider_status not in _OUTCOMES:
        logger.warning("DeepSign reported an undocumented document status %r; still waiting", provider_status)
    return _OUTCOMES.get(provider_status, PENDING)


def _completion(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


class DeepSignClient:
    """Calls to DeepSign with one cached token; every failure becomes a DeepSignError."""

    def __init__(
        self,
        config: DeepSignConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._token_until = 0.0

    # --- token -----------------------------------------------------------------------------------------------------

    def token(self) -> str:
        """The access token, fetched again shortly before it expires."""
        with self._lock:
            if not self._token or self._clock() >= self._token_until:
                self._fetch_token()
            return self._token

    def _fetch_token(self) -> None:
        call = _("Anmeldung")
        # Unverified: the password grant for a DeepSign service user (integrations doc, third-party code).
        form = {
            "grant_type": "password",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "username": self.config.username,
            "password": self.config.password,
        }
        payload = self._json(
            self._send("POST", self.config.token_url, call, auth=False, about_document=False, data=form), call
        )
        token, lifetime = payload.get("access_token"), payload.get("expires_in", 0)
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise _unexpected(call)
        self._token = token
        self._token_until = self._clock() + lifetime - TOKEN_RENEW_BEFORE_SECONDS

    def _forget_token(self) -> None:
        with self._lock:
            self._token = ""

    # --- calls -----------------------------------------------------------------------------------------------------

    def upload(self, *, pdf: bytes, filename: str, initiator: str, comment: str, callback_url: str) -> str:
        """Upload a PDF as a draft; returns DeepSign's document id."""
        call = _("Hochladen")
        data = {
            "companyId": self.config.company_id,
            "initiatorAliasName": initiator,
            "comment": comment,
            "signatureMode": SIGNATURE_MODE,
            "sendMail": True,  # DeepSign e-mails each signer the invitation when the document is started
            "callbackUrl": callback_url,
            "callbackEventTypes": list(CALLBACK_EVENT_TYPES),
        }
        files = {
            "data": (None, json.dumps(data), "application/json"),
            "file": (filename, pdf, "application/pdf"),
        }
        payload = self._json(self._send("POST", self._url("/documents/file"), call, files=files), call)
        document_id = payload.get("documentId")
        if not isinstance(document_id, str) or not document_id:
            raise _unexpected(call)
        return document_id

    def add_signee(self, document_id: str, *, email: str, comment: str, sign_order: int) -> dict[str, Any]:
        call = _("Unterzeichnende hinzufügen")
        body = {"email": email, "comment": comment, "signOrder": sign_order, "language": SIGNER_LANGUAGE}
        return self._json(self._send("POST", self._url(f"/documents/{document_id}/signees"), call, json=body), call)

    def start(self, document_id: str) -> None:
        self._send("PUT", self._url(f"/documents/{document_id}/start"), _("Start der Unterzeichnung"))

    def withdraw(self, document_id: str) -> None:
        self._send("PUT", self._url(f"/documents/{document_id}/withdraw"), _("Zurückziehen"))

    def status(self, document_id: str) -> RemoteStatus:
        # Unverified: GET /documents/{id} answering the document as the upload does.
        call = _("Statusabfrage")
        raw = self._json(self._send("GET", self._url(f"/documents/{document_id}"), call), call)
        provider_status = raw.get("documentStatus")
        if not isinstance(provider_status, str):
            raise _unexpected(call)
        outcome = outcome_of(provider_status)
        document_url = raw.get("documentUrl") or ""
        if not isinstance(document_url, str) or (outcome == SIGNED and not document_url):
            raise _unexpected(call)
        return RemoteStatus(
            provider_status=provider_status,
            outcome=outcome,
            document_url=document_url,
            completed_at=_completion(raw.get("completionTime")),
            raw=raw,
        )

    def download(self, url: str) -> bytes:
        """The signed PDF. Unverified: ``documentUrl`` of a signed document points to it. The token goes only to
        DeepSign's API itself, never to another host (a storage link carries its own authorisation)."""
        own_api = url.startswith(f"{self.config.base_url}/")
        response = self._send(
            "GET", url, _("Herunterladen des unterzeichneten PDF"), auth=own_api, headers={"Accept": "application/pdf"}
        )
        return response.content

    # --- plumbing --------------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.config.base_url}{path}"

    def _send(
        self, method: str, url: str, call: str, *, auth: bool = True, about_document: bool = True, **kwargs: Any
    ) -> requests.Response:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        try:
            response = self._session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except requests.Timeout as error:
            raise DeepSignError(
                _("DeepSign: keine Antwort bei %(call)s (Zeitüberschreitung).") % {"call": call}
            ) from error
        except requests.RequestException as error:
            raise DeepSignError(_("DeepSign: nicht erreichbar bei %(call)s.") % {"call": call}) from error
        self._check(response, call, auth=auth, about_document=about_document)
        return response

    def _check(self, response: requests.Response, call: str, *, auth: bool, about_document: bool) -> None:
        if response.status_code < 400:
            return
        logger.warning("DeepSign %s answered HTTP %s: %s", call, response.status_code, response.text[:500])
        retry_after = _later(response.headers.get("Retry-After", ""))
        if response.status_code == 429:
            raise DeepSignRateLimited(
                _("DeepSign: zu viele Anfragen bei %(call)s (HTTP 429).") % {"call": call} + " " + retry_after
            )
        if response.status_code == 503:
            raise DeepSignTemporarilyUnavailable(
                _("DeepSign: vorübergehend nicht verfügbar (Wartung) bei %(call)s (HTTP 503).") % {"call": call}
                + " "
                + retry_after
            )
        if about_document and response.status_code in (404, 410):
            raise DeepSignDocumentGone(
                _("DeepSign: das Dokument ist dort nicht mehr vorhanden (abgelaufen oder gelöscht; HTTP %(status)s).")
                % {"status": response.status_code}
            )
        if response.status_code == 401 and auth:
            self._forget_token()
        raise DeepSignError(
            _("DeepSign: %(call)s fehlgeschlagen (HTTP %(status)s).") % {"call": call, "status": response.status_code}
        )

    @staticmethod
    def _json(response: requests.Response, call: str) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError as error:
            raise _unexpected(call) from error
        if not isinstance(payload, dict):
            raise _unexpected(call)
        return payload


def _unexpected(call: str) -> DeepSignError:
    return DeepSignError(_("DeepSign: unerwartete Antwort bei %(call)s.") % {"call": call})


def _later(retry_after: str) -> str:
    if retry_after.isdigit():
        return _("Bitte in %(seconds)s Sekunden erneut versuchen.") % {"seconds": retry_after}
    return _("Bitte später erneut versuchen.")


_shared: DeepSignClient | None = None
_shared_lock = threading.Lock()


def client() -> DeepSignClient:
    """The process-wide client for the current settings, so its token is reused; raises DeepSignNotConfigured."""
    global _shared
    config = DeepSignConfig.from_settings()
    with _shared_lock:
        if _shared is None or _shared.config != config:
            _shared = DeepSignClient(config)
        return _shared
