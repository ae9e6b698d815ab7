"""Every B2B endpoint in the OpenAPI schema: its query parameters with examples, its answer with its example, the
error answers, and the key's own security schemes (bearer or X-API-Key, either one)."""

import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from api.b2b.status import EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(test_endpoint):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_with_the_b2b_endpoints_validates(schema):
    validate(schema)
    assert sorted(address for address in schema["paths"] if address.startswith("/api/v1/")) == [
        "/api/v1/community-benchmarks",
        "/api/v1/formation-pipeline",
        "/api/v1/grid-optimization",
        "/api/v1/load-profiles",
        "/api/v1/solar-index",
        "/api/v1/status",
        "/api/v1/test-figures",
    ]


def test_the_key_has_its_own_schemes_and_either_one_will_do(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["b2bBearer"] == {"type": "http", "scheme": "bearer", "description": "B2B API key (olk_…)"}
    assert schemes["b2bApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "B2B API key (olk_…)"
    }
    for address in (address for address in schema["paths"] if address.startswith("/api/v1/")):
        assert schema["paths"][address]["get"]["security"] == [{"b2bBearer": []}, {"b2bApiKey": []}]


def test_an_endpoint_s_query_answer_example_and_errors(schema):
    operation = schema["paths"]["/api/v1/test-figures"]["get"]
    assert list(schema["paths"]["/api/v1/test-figures"]) == ["get"]
    assert operation["operationId"] == "v1_test_figures"
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert (parameters["year"]["required"], parameters["year"]["example"]) == (True, 2025)
    assert (parameters["year"]["schema"]["minimum"], parameters["year"]["schema"]["maximum"]) == (2000, 2100)
    assert (parameters["canton"].get("required", False), parameters["canton"]["example"]) == (False, "ZH")
    assert sorted(operation["responses"]) == ["200", "400", "401", "403", "404", "429"]
    for code in ("400", "401", "403", "404", "429"):
        assert operation["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert answer["examples"]["Antwort"]["value"] == {"canton": "ZH", "year": 2025, "utility_id": None}
    assert answer["schema"] == {"$ref": "#/components/schemas/FiguresAnswer"}


def test_status_has_no_parameters_and_its_example(schema):
    operation = schema["paths"]["/api/v1/status"]["get"]
    assert "parameters" not in operation
    assert operation["responses"]["200"]["content"]["application/json"]["examples"]["Antwort"]["value"] == (
        EXAMPLE.answer
    )
