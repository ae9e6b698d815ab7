"""api.tokens: a secret shown once and stored as a hash, the rules for scopes and expiry, revocation, lookup."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from api.errors import ApiError
from api.tokens import (
    PREFIX_LENGTH,
    TokenRefused,
    agent_token_check,
    agent_token_create,
    agent_token_revoke,
    expiry_after,
    secret_hash,
    token_for_secret,
)
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def test_a_new_token_keeps_only_the_hash_and_a_prefix():
    new = agent_token_create(name="LEA", scopes=["billing:read", "billing:read", "pipeline:read"])
    assert new.secret.startswith("olat_") and len(new.secret) == 5 + 43
    assert new.token.prefix == new.secret[:PREFIX_LENGTH]
    assert new.token.secret_hash == secret_hash(new.secret) != new.secret
    assert new.token.scopes == ["billing:read", "pipeline:read"]
    assert token_for_secret(new.secret) == new.token


def test_two_tokens_never_share_a_secret():
    first = agent_token_create(name="A", scopes=["billing:read"])
    second = agent_token_create(name="B", scopes=["billing:read"])
    assert first.secret != second.secret and first.token.prefix != second.token.prefix


@pytest.mark.parametrize(
    ("scopes", "utility", "expires_at", "field", "message"),
    [
        ([], False, None, "scopes", "Ein Token braucht mindestens eine Berechtigung."),
        (["billing:approve"], False, None, "scopes", "Unbekannte Berechtigung: billing:approve."),
        (
            ["pipeline:write"], True, None, "scopes",
            "Ein Token eines Netzbetreibers erhält keine Pipeline-Berechtigung (nur Staff-Tokens).",
        ),
        (
            ["billing:read"], False, datetime(2020, 1, 1, tzinfo=UTC), "expires_at",
            "Das Ablaufdatum liegt in der Vergangenheit.",
        ),
    ],
)
def test_the_rules_refuse_naming_the_field(scopes, utility, expires_at, field, message):
    owner = UtilityFactory() if utility else None
    with pytest.raises(TokenRefused) as refused:
        agent_token_check(scopes=scopes, utility=owner, expires_at=expires_at)
    assert (refused.value.field, refused.value.message) == (field, message)
    with pytest.raises(TokenRefused):
        agent_token_create(name="X", scopes=scopes, utility=owner, expires_at=expires_at)


def test_expiry_after_a_day_is_the_end_of_that_zurich_day():
    assert expiry_after(date(2027, 1, 31)) == datetime(2027, 1, 31, 23, 0, tzinfo=UTC)
    assert expiry_after(date(2027, 7, 31)) == datetime(2027, 7, 31, 22, 0, tzinfo=UTC)


def test_lookup_refuses_unknown_revoked_and_expired_tokens():
    with pytest.raises(ApiError) as unknown:
        token_for_secret("olat_guess")
    assert (unknown.value.status, unknown.value.code) == (401, "token_invalid")
    expiring = agent_token_create(name="X", scopes=["billing:read"], expires_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ApiError) as expired:
        token_for_secret(expiring.secret, now=timezone.now() + timedelta(hours=1))
    assert expired.value.code == "token_expired"
    agent_token_revoke(prefix=expiring.token.prefix)
    with pytest.raises(ApiError) as revoked:
        token_for_secret(expiring.secret)
    assert revoked.value.code == "token_revoked"


def test_revoking_twice_keeps_the_first_moment():
    new = agent_token_create(name="X", scopes=["billing:read"])
    first = agent_token_revoke(prefix=new.token.prefix).revoked_at
    assert agent_token_revoke(prefix=new.token.prefix).revoked_at == first
