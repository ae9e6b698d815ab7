"""The OpenAPI schema: one operation per tool with its arguments, examples and the error shape; it validates. The
docs page is served from our own static files, which the CSP allows."""

import re

import pytest
import yaml
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from api.agent.registry import TOOLS
from api.b2b.registry import ENDPOINTS

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def schema(test_tools):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_as_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "OpenLEG API"


def test_the_yaml_schema_is_served_without_a_token(test_tools):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["version"] == "1.0.0"


def test_the_bearer_scheme_is_declared_and_required(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "Agent token (olat_…)"
    }
    operations = [
        operation for address, path in schema["paths"].items() if address.startswith("/api/agent/")
        for operation in path.values()
    ]
    assert len(operations) == len(TOOLS) + 1
    assert all(operation["security"] == [{"bearerAuth": []}] for operation in operations)


def test_a_read_tool_is_a_get_with_its_arguments_as_query_parameters_and_examples(schema):
    operation = schema["paths"]["/api/agent/v1/test_list_communities/"]["get"]
    assert operation["operationId"] == "test_list_communities"
    assert "post" not in schema["paths"]["/api/agent/v1/test_list_communities/"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["limit"]["in"] == "query"
    assert parameters["limit"]["schema"] == {"type": "integer", "maximum": 100, "minimum": 1, "default": 20}
    assert parameters["limit"]["example"] == 5
    assert parameters["name"].get("required", False) is False
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert answer["examples"]["Antwort"]["value"] == {"results": [{"id": 1, "name": "LEG Sonnenberg"}], "count": 1}
    assert operation["description"] == "Scope: `billing:read`.\n\nList communities. For tests."


def test_a_write_tool_is_a_post_with_its_body_example_and_the_idempotency_header(schema):
    operation = schema["paths"]["/api/agent/v1/test_start_job/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    request_schema = schema["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]]
    assert request_schema["required"] == ["community", "note"]
    assert body["examples"]["Aufruf"]["value"] == {"community": 1, "note": "Mai"}
    assert [(p["name"], p["in"], p.get("required", False)) for p in operation["parameters"]] == [
        ("Idempotency-Key", "header", False)
    ]
    assert sorted(operation["responses"]) == ["200", "202", "400", "401", "403", "404", "409", "422", "429"]


def test_every_error_answer_refers_to_the_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = schema["components"]["schemas"][error["properties"]["error"]["$ref"].split("/")[-1]]
    assert sorted(detail["properties"]) == ["code", "details", "message"]
    for path in ("/api/agent/v1/test_list_communities/", "/api/agent/v1/test_start_job/"):
        for operation in schema["paths"][path].values():
            for status in ("400", "401", "403", "404", "409", "422", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_tool_and_the_tool_list_are_documented_and_nothing_else_leaks_in(schema):
    agent = ["/api/agent/v1/", *(f"/api/agent/v1/{name}/" for name in TOOLS)]
    assert sorted(schema["paths"]) == sorted([*agent, *(f"/api/v1/{name}" for name in ENDPOINTS)])


def test_a_tool_without_arguments_has_no_parameters(schema):
    assert "parameters" not in schema["paths"]["/api/agent/v1/test_ping/"]["get"]


def test_the_docs_page_loads_its_scripts_from_our_static_files_under_the_csp(test_tools):
    client = APIClient()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    sources = [re.search(r'src="([^"]+)"', attributes).group(1) for attributes, _body in scripts]
    assert sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    assert all(body.strip() == "" for _attributes, body in scripts)  # nothing inline: the CSP would block it
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe" not in csp.split("script-src")[1].split(";")[0]
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []  # nothing from another host (no CDN)
    starter = client.get("/api/docs/?script=")
    assert starter.status_code == 200
    assert starter["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in starter.content.decode()
    for source in sources[:2]:
        static = client.get(source)
        assert static.status_code == 200
        assert b"".join(static.streaming_content if static.streaming else [static.content])[:1000] != b""
