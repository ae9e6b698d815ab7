"""The REST door: one address per tool from the registry, GET for reads, POST for writes, call_tool behind it."""

import pytest
from rest_framework.test import APIClient

from api.agent.registry import TOOLS
from api.models import AgentCall, AgentJob
from tests.api.conftest import ALL_SCOPES

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

LIST_URL = "/api/agent/v1/test_list_communities/"
JOB_URL = "/api/agent/v1/test_start_job/"


def test_the_index_lists_only_the_tools_the_token_may_use(test_tools, make_token, bearer):
    new = make_token(scopes=["billing:read"])
    response = bearer(new.secret).get("/api/agent/v1/")
    assert response.status_code == 200
    tools = response.json()["tools"]
    assert [tool["name"] for tool in tools] == sorted(
        name for name, tool in TOOLS.items() if tool.scope in ("", "billing:read")
    )
    assert {tool["scope"] for tool in tools} <= {"", "billing:read"}
    assert tools[[tool["name"] for tool in tools].index("test_list_communities")] == {
        "name": "test_list_communities",
        "description": "List communities. For tests.",
        "scope": "billing:read",
        "method": "GET",
        "url": "http://testserver/api/agent/v1/test_list_communities/",
    }
    assert "test_start_job" not in [tool["name"] for tool in tools]


def test_a_tool_without_arguments_answers_a_plain_get(test_tools, make_token, bearer):
    response = bearer(make_token(scopes=["billing:read"]).secret).get("/api/agent/v1/test_ping/")
    assert (response.status_code, response.json()) == (200, {"pong": True})


def test_a_read_answers_get_with_query_arguments_and_records_the_call(test_tools, make_token, bearer, community):
    new = make_token(scopes=["billing:read"])
    response = bearer(new.secret).get(LIST_URL, {"limit": "5", "name": "LEG Sonnenberg"})
    assert response.status_code == 200
    assert response.json() == {"results": [{"id": community.pk, "name": "LEG Sonnenberg"}], "count": 1}
    call = AgentCall.objects.get()
    assert (call.token, call.tool, call.transport, call.arguments, call.status, call.error_code) == (
        new.token, "test_list_communities", "rest", {"limit": "5", "name": "LEG Sonnenberg"}, 200, ""
    )


def test_a_utility_token_sees_only_its_utilitys_communities(
    test_tools, make_token, bearer, community, other_utility_community
):
    new = make_token(scopes=["billing:read"], utility=community.utility)
    response = bearer(new.secret).get(LIST_URL)
    assert response.json() == {"results": [{"id": community.pk, "name": "LEG Sonnenberg"}], "count": 1}


def test_a_write_answers_post_with_a_json_body(test_tools, make_token, bearer, community):
    new = make_token(scopes=["billing:run"])
    response = bearer(new.secret).post(JOB_URL, {"community": community.pk, "note": "Mai"}, format="json")
    job = AgentJob.objects.get()
    assert response.status_code == 202
    assert response.json() == {"job": str(job.id), "state": "pending"}
    call = AgentCall.objects.get()
    assert (call.status, call.touched, call.transport) == (202, [f"community:{community.pk}"], "rest")


def test_the_other_method_answers_405_in_the_shape(test_tools, make_token, bearer):
    client = bearer(make_token(scopes=ALL_SCOPES).secret)
    read_by_post = client.post(LIST_URL, {}, format="json")
    write_by_get = client.get(JOB_URL)
    assert (read_by_post.status_code, write_by_get.status_code) == (405, 405)
    assert read_by_post.json() == {
        "error": {"code": "method_not_allowed", "message": "Die Methode POST ist hier nicht erlaubt.", "details": {}}
    }
    assert write_by_get.json()["error"]["message"] == "Die Methode GET ist hier nicht erlaubt."
    assert AgentCall.objects.count() == 0


def test_a_missing_scope_answers_403_naming_it(test_tools, make_token, bearer):
    response = bearer(make_token(scopes=["billing:read"]).secret).post(
        JOB_URL, {"community": 1, "note": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "scope_missing",
            "message": "Diesem Token fehlt die Berechtigung «billing:run».",
            "details": {"scope": "billing:run"},
        }
    }
    assert AgentCall.objects.get().error_code == "scope_missing"


def test_another_utilitys_community_answers_404_as_if_unknown(
    test_tools, make_token, bearer, community, other_utility_community
):
    new = make_token(scopes=["billing:run"], utility=community.utility)
    response = bearer(new.secret).post(
        JOB_URL, {"community": other_utility_community.pk, "note": "x"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": f"Gemeinschaft «{other_utility_community.pk}» gibt es nicht.",
            "details": {"object": "Gemeinschaft", "key": str(other_utility_community.pk)},
        }
    }
    assert AgentJob.objects.count() == 0


def test_missing_and_malformed_arguments_answer_400_naming_the_fields(test_tools, make_token, bearer):
    response = bearer(make_token(scopes=["billing:run"]).secret).post(JOB_URL, {"community": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Ungültige Angaben: community, note.",
            "details": {
                "fields": {
                    "community": ["Eine gültige Ganzzahl ist erforderlich."],
                    "note": ["Dieses Feld ist zwingend erforderlich."],
                }
            },
        }
    }


def test_a_body_that_is_no_json_object_answers_400(test_tools, make_token, bearer):
    client = bearer(make_token(scopes=["billing:run"]).secret)
    as_list = client.post(JOB_URL, [1, 2], format="json")
    broken = client.generic("POST", JOB_URL, "{not json", content_type="application/json")
    as_text = client.generic("POST", JOB_URL, "community=1", content_type="text/plain")
    assert (as_list.status_code, as_list.json()["error"]["details"]) == (
        400, {"fields": {"non_field_errors": ["Der Inhalt muss ein JSON-Objekt sein."]}}
    )
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "malformed_request")
    assert (as_text.status_code, as_text.json()["error"]["code"]) == (415, "unsupported_media_type")


def test_a_tool_address_needs_a_token_and_an_unknown_tool_has_none(test_tools, db):
    assert APIClient().get(LIST_URL).status_code == 401
    assert APIClient().get("/api/agent/v1/no_such_tool/").json()["error"]["code"] == "not_found"


def test_the_tools_download_links_are_mounted_where_they_point(db):
    from api.agent.downloads import PREFIX, download_url

    assert download_url("document", 1).startswith(PREFIX)
    response = APIClient().get(download_url("document", 999999))  # signed, but no such document
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    tampered = APIClient().get(f"{PREFIX}document:1:forged/")
    assert (tampered.status_code, tampered.json()["error"]["code"]) == (403, "download_invalid")


@pytest.mark.parametrize(("name", "scope"), [("get_pipeline_dashboard", "pipeline:read"),
                                             ("get_billing_reconciliation", "billing:read")])
def test_a_registered_tool_answers_through_the_door_as_through_call_tool(make_token, bearer, name, scope):
    from api.agent.calls import call_tool

    new = make_token(scopes=[scope])
    response = bearer(new.secret).get(f"/api/agent/v1/{name}/")
    direct = call_tool(new.token, name, {}, transport="mcp")
    assert (response.status_code, response.json()) == (direct.status, direct.data)
    assert list(AgentCall.objects.order_by("pk").values_list("tool", "transport", "status")) == [
        (name, "rest", 200), (name, "mcp", 200)
    ]
