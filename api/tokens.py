"""Agent tokens: made with a secret shown once, found by the secret's hash, revoked by prefix."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import AgentToken
from api.scopes import PIPELINE_SCOPES, Scope
from openleg.errors import DomainError
from openleg.periods import local_day

SECRET_PREFIX = "olat_"  # OpenLEG agent token: recognisable in logs and by secret scanners
PREFIX_LENGTH = 12  # "olat_" and 7 characters of the random part: what lists, logs and revoke show


class TokenRefused(DomainError):
    code = "token_refused"


@dataclass(frozen=True)
class NewToken:
    token: AgentToken
    secret: str  # shown once; only its hash is stored


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    """A fresh secret: the recognisable ``prefix`` and 43 random URL-safe characters (agent tokens, B2B keys)."""
    return prefix + secrets.token_urlsafe(32)


def agent_token_check(*, scopes: list[str], utility=None, expires_at: datetime | None = None) -> None:
    """The rules a new token must keep (``TokenRefused`` naming the field): the service and the admin form share it."""
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise TokenRefused(_("Unbekannte Berechtigung: %(scopes)s.") % {"scopes": ", ".join(unknown)}, field="scopes")
    if not scopes:
        raise TokenRefused(_("Ein Token braucht mindestens eine Berechtigung."), field="scopes")
    if utility is not None and PIPELINE_SCOPES & set(scopes):
        raise TokenRefused(
            _("Ein Token eines Netzbetreibers erhält keine Pipeline-Berechtigung (nur Staff-Tokens)."), field="scopes"
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenRefused(_("Das Ablaufdatum liegt in der Vergangenheit."), field="expires_at")


def expiry_after(day: date) -> datetime:
    """A token "valid until" ``day`` expires at the end of that Europe/Zurich day."""
    return local_day(day).end


def agent_token_create(
    *, name: str, scopes: list[str], utility=None, expires_at: datetime | None = None, created_by=None,
    daily_budget: int | None = None,
) -> NewToken:
    agent_token_check(scopes=scopes, utility=utility, expires_at=expires_at)
    secret = new_secret(SECRET_PREFIX)
    extra = {} if daily_budget is None else {"daily_budget": daily_budget}
    token = AgentToken.objects.create(
        name=name, prefix=secret[:PREFIX_LENGTH], secret_hash=secret_hash(secret), scopes=sorted(set(scopes)),
        utility=utility, expires_at=expires_at, created_by=created_by, **extra,
    )
    return NewToken(token=token, secret=secret)


def agent_token_revoke(*, prefix: str) -> AgentToken:
    with transaction.atomic():
        token = AgentToken.objects.select_for_update().filter(prefix=prefix).first()
        if token is None:
            raise TokenRefused(_("Kein Token mit dem Präfix «%(prefix)s».") % {"prefix": prefix}, field="prefix")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_for_secret(secret: str, *, now: datetime | None = None) -> AgentToken:
    """The usable token for a bearer secret, or a 401 ``ApiError`` that says why (unknown, revoked, expired)."""
    token = AgentToken.objects.select_related("utility").filter(secret_hash=secret_hash(secret)).first()
    if token is None:
        raise ApiError("token_invalid", _("Unbekanntes Token."), status=401)
    if token.revoked_at is not None:
        raise ApiError("token_revoked", _("Dieses Token ist widerrufen."), status=401)
    if token.expires_at is not None and (now or timezone.now()) >= token.expires_at:
        raise ApiError("token_expired", _("Dieses Token ist abgelaufen."), status=401)
    return token
