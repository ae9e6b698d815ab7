"""manage.py api_client: create prints the key once (stdout, alone), revoke by prefix, list; German errors."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from api.models import ApiClient, ApiKey
from api.tokens import secret_hash
from tests.api.b2b.conftest import STATUS_URL
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_client", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_key_and_stores_its_hash():
    utility = UtilityFactory(name="EW Rebhalde AG")
    out, err = run(
        "create", "Solarplan AG", "--tier", "professional", "--utility", str(utility.pk), "--cantons", "zh, AG",
        "--hourly", "60", "--daily", "500",
    )
    client, key = ApiClient.objects.get(), ApiKey.objects.get()
    secret = out.strip()
    assert (out, secret[:12], len(secret)) == (secret + "\n", key.prefix, 47)
    assert key.secret_hash == secret_hash(secret)
    assert err == (
        f"API-Kunde «Solarplan AG» (professional) mit Schlüssel {key.prefix}… erstellt. Der Schlüssel wird nur "
        "jetzt ausgegeben:\n"
    )
    assert (client.company, client.tier, client.utility, client.allowed_cantons, client.hourly_limit,
            client.daily_limit, key.name) == ("Solarplan AG", "professional", utility, ["AG", "ZH"], 60, 500,
                                              "Hauptschlüssel")


@pytest.mark.redis
def test_the_printed_key_opens_the_api():
    from rest_framework.test import APIClient

    out, _err = run("create", "Solarplan AG", "--tier", "starter")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=out.strip())
    assert client.get(STATUS_URL).json()["tier"] == "starter"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tier", "gold"], "Unbekannte Stufe «gold»; möglich sind: starter, professional, enterprise."),
        (["--tier", "starter", "--cantons", "ZH,XY"], "Unbekannter Kanton: XY."),
        (["--tier", "starter", "--utility", "999999"], "Netzbetreiber 999999 gibt es nicht."),
        (["--tier", "starter", "--hourly", "0"], "Ein Limit muss mindestens 1 Aufruf sein."),
    ],
)
def test_create_refuses_in_german_naming_what_is_wrong(args, message):
    with pytest.raises(CommandError) as refused:
        run("create", "X", *args)
    assert str(refused.value) == message
    assert ApiClient.objects.count() == 0


def test_a_utility_has_one_client():
    utility = UtilityFactory(name="EW Seldwyla AG")
    run("create", "EW Seldwyla", "--tier", "starter", "--utility", str(utility.pk))

    with pytest.raises(CommandError) as refused:
        run("create", "Noch einer", "--tier", "professional", "--utility", str(utility.pk))

    assert str(refused.value) == (
        "EW Seldwyla AG hat schon den API-Kunden «EW Seldwyla»; weitere Schlüssel bitte dort erstellen."
    )
    assert list(ApiClient.objects.values_list("company", flat=True)) == ["EW Seldwyla"]


def test_revoke_by_prefix_and_an_unknown_prefix():
    run("create", "Solarplan AG", "--tier", "starter")
    key = ApiKey.objects.get()
    out, _err = run("revoke", key.prefix)
    assert out == f"Schlüssel «Hauptschlüssel» ({key.prefix}…) von «Solarplan AG» ist widerrufen.\n"
    assert ApiKey.objects.get().revoked_at is not None
    with pytest.raises(CommandError) as refused:
        run("revoke", "olk_nothing")
    assert str(refused.value) == "Kein API-Schlüssel mit dem Präfix «olk_nothing»."


def test_list_shows_clients_and_their_keys():
    assert run("list")[0] == "Keine API-Kunden.\n"
    run("create", "Solarplan AG", "--tier", "starter", "--cantons", "ZH", "--hourly", "5", "--daily", "50")
    key = ApiKey.objects.get()
    assert run("list")[0] == (
        "Solarplan AG\tstarter\tZH\t5/h\t50/d\t–\taktiv\n"
        f"\t{key.prefix}\tHauptschlüssel\t–\taktiv\n"
    )
