"""Tokens in the admin: made with the secret shown once, revoked by an action; calls and jobs only to read."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from api.models import AgentCall, AgentJob, AgentToken
from api.tokens import secret_hash
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:api_agenttoken_add")
LIST_URL = reverse("admin:api_agenttoken_changelist")


def test_the_add_form_offers_name_scopes_as_checkboxes_utility_expiry_and_budget(staff):
    html = staff.get(ADD_URL).content.decode()
    for scope in ("pipeline:read", "pipeline:write", "billing:read", "billing:run", "documents:read",
                  "documents:write"):
        assert f'type="checkbox" name="scopes" value="{scope}"' in html
    for field in ("name", "utility", "valid_until", "daily_budget"):
        assert f'name="{field}"' in html


def test_creating_a_token_shows_its_secret_once_and_stores_only_the_hash(staff, staff_user):
    utility = UtilityFactory(name="EW Sonnenberg AG")
    response = staff.post(
        ADD_URL,
        {"name": "Agent EW Sonnenberg", "scopes": ["billing:read", "documents:read"], "utility": utility.pk,
         "valid_until": "31.12.2027", "daily_budget": "800"},
    )
    token = AgentToken.objects.get()
    assert response.status_code == 302
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    secret = shown[0].rsplit(": ", 1)[1]
    assert shown[0] == (
        "Das Geheimnis des Tokens «Agent EW Sonnenberg» wird nur jetzt angezeigt, bitte sicher ablegen: " + secret
    )
    assert secret.startswith("olat_") and token.prefix == secret[:12]
    assert token.secret_hash == secret_hash(secret)
    assert (token.name, token.scopes, token.utility, token.daily_budget, token.created_by) == (
        "Agent EW Sonnenberg", ["billing:read", "documents:read"], utility, 800, staff_user
    )
    assert token.expires_at.isoformat() == "2027-12-31T23:00:00+00:00"  # midnight after 31.12. in Zurich
    change_url = reverse("admin:api_agenttoken_change", args=[token.pk])
    assert secret in staff.get(change_url).content.decode()  # the page after saving shows the message once
    assert secret not in staff.get(change_url).content.decode()  # and never again


def test_a_utility_token_with_a_pipeline_scope_is_refused_at_the_field(staff):
    response = staff.post(
        ADD_URL,
        {"name": "Zu viel", "scopes": ["pipeline:read"], "utility": UtilityFactory().pk, "daily_budget": "10"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "scopes": ["Ein Token eines Netzbetreibers erhält keine Pipeline-Berechtigung (nur Staff-Tokens)."]
    }
    assert AgentToken.objects.count() == 0


def test_an_expiry_in_the_past_is_refused(staff):
    response = staff.post(
        ADD_URL, {"name": "Alt", "scopes": ["billing:read"], "valid_until": "01.01.2020", "daily_budget": "10"}
    )
    assert response.context["adminform"].form.errors == {
        "valid_until": ["Das Ablaufdatum liegt in der Vergangenheit."]
    }


def test_the_list_shows_prefix_scopes_utility_expiry_last_use_and_revocation(staff, make_token):
    make_token(scopes=["billing:read", "billing:run"])
    html = staff.get(LIST_URL).content.decode()
    token = AgentToken.objects.get()
    assert token.prefix in html
    assert "Abrechnung lesen, Abrechnungsentwurf berechnen" in html
    for heading in ("Präfix", "Berechtigungen", "Netzbetreiber", "Gültig bis", "Zuletzt benutzt", "Widerrufen am"):
        assert f">{heading}<" in html


def test_the_revoke_action_revokes_through_the_service(staff, make_token):
    first, second = make_token().token, make_token().token
    response = staff.post(
        LIST_URL, {"action": "revoke", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["2 Tokens widerrufen."]
    assert AgentToken.objects.filter(revoked_at__isnull=False).count() == 2


def test_a_change_edits_only_name_and_budget(staff, make_token):
    token = make_token(scopes=["billing:read"]).token
    staff.post(
        reverse("admin:api_agenttoken_change", args=[token.pk]),
        {"name": "Umbenannt", "daily_budget": "42", "scopes": ["documents:write"]},
    )
    token.refresh_from_db()
    assert (token.name, token.daily_budget, token.scopes) == ("Umbenannt", 42, ["billing:read"])


def test_calls_are_listed_with_filters_and_cannot_be_changed(staff, make_token):
    token = make_token().token
    AgentCall.objects.create(
        token=token, tool="get_billing_summary", transport="rest", arguments={"community": 7, "month": "2026-05"},
        status=200, duration_ms=12, touched=["community:7"],
    )
    AgentCall.objects.create(token=token, tool="score_vnb", transport="mcp", status=403, error_code="scope_missing",
                             duration_ms=3)
    url = reverse("admin:api_agentcall_changelist")

    def listed(**filters):
        return [call.tool for call in staff.get(url, filters).context["cl"].result_list]

    assert listed(transport="mcp") == ["score_vnb"]
    assert listed(tool="get_billing_summary") == ["get_billing_summary"]
    assert listed(status="403") == ["score_vnb"]
    assert listed(token__id__exact=token.pk) == ["score_vnb", "get_billing_summary"]
    call = AgentCall.objects.get(tool="get_billing_summary")
    detail = staff.get(reverse("admin:api_agentcall_change", args=[call.pk])).content.decode()
    assert "community: 7<br>" in detail and "month: 2026-05" in detail
    assert staff.get(reverse("admin:api_agentcall_add")).status_code == 403
    assert staff.post(reverse("admin:api_agentcall_delete", args=[call.pk]), {"post": "yes"}).status_code == 403
    assert AgentCall.objects.count() == 2


def test_jobs_are_read_only(staff, make_token):
    job = AgentJob.objects.create(token=make_token().token, tool="run_billing_period", arguments={"month": "2026-05"})
    assert staff.get(reverse("admin:api_agentjob_changelist")).status_code == 200
    assert staff.get(reverse("admin:api_agentjob_change", args=[job.pk])).status_code == 200
    assert staff.get(reverse("admin:api_agentjob_add")).status_code == 403
