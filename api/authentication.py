"""``Authorization: Bearer <secret>``: the agent token as ``request.auth``, a refusal as 401 with the reason.

The token's last use is written at most once a minute (a conditional UPDATE), not on every call.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from api.errors import ApiError
from api.models import AgentToken
from api.tokens import token_for_secret

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenUser:
    """``request.user`` of a bearer call: no person, the token speaks (services record the door "agent")."""

    token: AgentToken
    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return str(self.token)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no bearer: DRF answers 401 not_authenticated if the view needs a token
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Der Header muss «Authorization: Bearer <Token>» lauten."), code="token_malformed"
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Unbekanntes Token."), code="token_invalid") from None
        try:
            token = token_for_secret(secret)
        except ApiError as refused:
            raise exceptions.AuthenticationFailed(refused.message, code=refused.code) from None
        note_use(token)
        return TokenUser(token), token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


def note_use(token, *, now=None) -> None:
    """Record the last use of a token or key (any model with ``last_used_at``), at most once per minute (no write
    per call)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    if type(token).objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now


class HasAgentToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, AgentToken)
