"""A B2B key in ``Authorization: Bearer olk_…`` or, for the original API's clients, ``X-API-Key: olk_…``: the key as
``request.auth``, a refusal as 401 with the reason. The key's last use is written at most once a minute."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from api.authentication import TokenUser, note_use
from api.b2b.keys import key_for_secret
from api.errors import ApiError

KEY_HEADER = "X-API-Key"


def presented_secret(request) -> str | None:
    header = authentication.get_authorization_header(request).split()
    if header and header[0].lower() == b"bearer":
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Der Header muss «Authorization: Bearer <Schlüssel>» lauten."), code="key_malformed"
            )
        try:
            return header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Unbekannter API-Schlüssel."), code="key_invalid") from None
    return request.headers.get(KEY_HEADER) or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        secret = presented_secret(request)
        if secret is None:
            return None
        try:
            key = key_for_secret(secret)
        except ApiError as refused:
            raise exceptions.AuthenticationFailed(refused.message, code=refused.code) from None
        note_use(key)
        return TokenUser(key), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api/v1"'
