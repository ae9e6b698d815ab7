"""Clients and keys: the secret shown once and stored as its SHA-256, revocation by prefix, the refusals."""

import hashlib

import pytest

from api.b2b.keys import KeyRefused, api_client_create, api_key_revoke, key_for_secret, utility_key_create
from api.errors import ApiError
from api.models import ApiClient, ApiKey
from subscriptions.models import UtilitySubscription
from tests.accounts.factories import UtilityUserFactory
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def test_a_key_is_olk_and_43_random_characters_stored_only_as_its_hash(make_key):
    new = make_key()
    stored = ApiKey.objects.get()
    assert new.secret.startswith("olk_") and len(new.secret) == 4 + 43
    assert stored.prefix == new.secret[:12]
    assert stored.secret_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in {stored.prefix, stored.secret_hash, stored.name}


def test_two_keys_differ(make_client, make_key):
    client = make_client()
    first, second = make_key(client=client), make_key(client=client)
    assert first.secret != second.secret and first.key.prefix != second.key.prefix
    assert client.keys.count() == 2


def test_a_new_client_takes_its_limits_from_the_settings(settings, make_client):
    settings.B2B_DEFAULT_HOURLY_LIMIT = 77
    settings.B2B_DEFAULT_DAILY_LIMIT = 700
    client = make_client()
    assert (client.hourly_limit, client.daily_limit) == (77, 700)
    assert (make_client(hourly_limit=5, daily_limit=9).hourly_limit, ApiClient.objects.last().daily_limit) == (5, 9)


def test_the_cantons_are_kept_sorted_and_unknown_ones_are_refused(make_client):
    assert make_client(allowed_cantons=["ZH", "AG", "ZH"]).allowed_cantons == ["AG", "ZH"]
    with pytest.raises(KeyRefused) as refused:
        api_client_create(company="X", tier="starter", allowed_cantons=["ZH", "XY"])
    assert (refused.value.field, refused.value.message) == ("allowed_cantons", "Unbekannter Kanton: XY.")


def test_an_unknown_tier_is_refused():
    with pytest.raises(KeyRefused) as refused:
        api_client_create(company="X", tier="gold")
    assert refused.value.message == "Unbekannte Stufe «gold»; möglich sind: starter, professional, enterprise."


def test_a_known_key_is_found_and_refusals_say_why(make_key):
    new = make_key()
    assert key_for_secret(new.secret) == new.key
    with pytest.raises(ApiError) as unknown:
        key_for_secret("olk_nothing")
    assert (unknown.value.status, unknown.value.code, unknown.value.message) == (
        401, "key_invalid", "Unbekannter API-Schlüssel."
    )
    api_key_revoke(prefix=new.key.prefix)
    with pytest.raises(ApiError) as revoked:
        key_for_secret(new.secret)
    assert (revoked.value.code, revoked.value.message) == ("key_revoked", "Dieser API-Schlüssel ist widerrufen.")


def test_an_inactive_client_s_keys_are_refused(make_key):
    new = make_key()
    ApiClient.objects.update(active=False)
    with pytest.raises(ApiError) as refused:
        key_for_secret(new.secret)
    assert (refused.value.code, refused.value.message) == (
        "client_inactive", "Der Zugang dieses API-Kunden ist deaktiviert."
    )


def test_revoking_twice_keeps_the_first_moment_and_another_client_s_key_is_unknown(make_key, make_client):
    new = make_key()
    first = api_key_revoke(prefix=new.key.prefix).revoked_at
    assert api_key_revoke(prefix=new.key.prefix).revoked_at == first
    other = make_key()
    with pytest.raises(KeyRefused) as refused:
        api_key_revoke(prefix=other.key.prefix, client=new.key.client)
    assert refused.value.message == f"Kein API-Schlüssel mit dem Präfix «{other.key.prefix}»."
    assert ApiKey.objects.get(pk=other.key.pk).revoked_at is None


def test_a_utility_s_first_portal_key_makes_its_client_with_the_plan_s_tier_later_keys_reuse_it():
    user = UtilityUserFactory(first_name="Anna", last_name="Muster", email="anna@ew.ch")
    UtilitySubscription.objects.create(utility=user.utility, plan_key="professional", api_tier="professional")
    first = utility_key_create(utility=user.utility, name="Portal", created_by=user)
    second = utility_key_create(utility=user.utility, name="Zweiter", created_by=user)
    client = ApiClient.objects.get()
    assert (client.company, client.tier, client.utility, client.contact_name, client.contact_email) == (
        user.utility.name, "professional", user.utility, "Anna Muster", "anna@ew.ch"
    )
    assert first.key.client == second.key.client == client
    assert first.key.created_by == user


def test_without_a_subscription_a_utility_s_client_is_starter():
    user = UtilityUserFactory(utility=UtilityFactory())
    assert utility_key_create(utility=user.utility, name="Portal", created_by=user).key.client.tier == "starter"
