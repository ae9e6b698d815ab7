"""manage.py agent_token: create prints the secret once (stdout, alone), revoke by prefix, list."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from api.models import AgentToken
from api.tokens import secret_hash
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("agent_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_secret_on_stdout_and_stores_its_hash():
    utility = UtilityFactory(name="EW Rebhalde AG")
    out, err = run(
        "create", "Agent Rebhalde", "--scope", "billing:read", "--scope", "documents:read",
        "--utility", str(utility.pk), "--expires", "2027-06-30", "--daily-budget", "300",
    )
    token = AgentToken.objects.get()
    secret = out.strip()
    assert out == secret + "\n"
    assert token.secret_hash == secret_hash(secret)
    assert err == f"Token «Agent Rebhalde» ({token.prefix}…) erstellt. Das Geheimnis wird nur jetzt ausgegeben:\n"
    assert (token.scopes, token.utility, token.daily_budget, token.expires_at.isoformat()) == (
        ["billing:read", "documents:read"], utility, 300, "2027-06-30T22:00:00+00:00"
    )


def test_create_without_budget_takes_the_default_and_a_staff_token_may_hold_pipeline_scopes():
    run("create", "LEA", "--scope", "pipeline:read", "--scope", "pipeline:write")
    token = AgentToken.objects.get()
    assert (token.utility, token.daily_budget, token.expires_at, token.scopes) == (
        None, 5000, None, ["pipeline:read", "pipeline:write"]
    )


def test_create_refuses_pipeline_scopes_for_a_utility_token():
    utility = UtilityFactory()
    with pytest.raises(CommandError) as refused:
        run("create", "X", "--scope", "pipeline:read", "--utility", str(utility.pk))
    assert str(refused.value) == "Ein Token eines Netzbetreibers erhält keine Pipeline-Berechtigung (nur Staff-Tokens)."
    assert AgentToken.objects.count() == 0


def test_create_refuses_an_unknown_utility():
    with pytest.raises(CommandError) as refused:
        run("create", "X", "--scope", "billing:read", "--utility", "999999")
    assert str(refused.value) == "Netzbetreiber 999999 gibt es nicht."


def test_create_refuses_an_unknown_scope():
    with pytest.raises(CommandError) as refused:
        run("create", "X", "--scope", "billing:approve")
    assert "billing:approve" in str(refused.value)
    assert AgentToken.objects.count() == 0


def test_revoke_by_prefix_and_list():
    secret, _err = run("create", "LEA", "--scope", "billing:read")
    prefix = secret.strip()[:12]
    out, _err = run("revoke", prefix)
    assert out == f"Token «LEA» ({prefix}…) ist widerrufen.\n"
    assert AgentToken.objects.get().revoked_at is not None
    listed, _err = run("list")
    assert listed == f"{prefix}\tLEA\tbilling:read\tStaff\t–\t–\twiderrufen\n"


def test_revoke_an_unknown_prefix_fails():
    with pytest.raises(CommandError) as refused:
        run("revoke", "olat_nothing")
    assert str(refused.value) == "Kein Token mit dem Präfix «olat_nothing»."


def test_list_without_tokens():
    assert run("list") == ("Keine Tokens.\n", "")
