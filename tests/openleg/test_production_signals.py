"""Production settings, in a process of their own: a request's log lines are JSON, /metrics is not redirected."""

import json
import re

from tests.openleg.test_deploy import PRODUCTION_ENV, _manage

_REQUEST = """
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="leg.example.ch", HTTP_X_REQUEST_ID="prod-req-00000001")
print(response.status_code, response["X-Request-ID"])
"""


def test_a_request_writes_one_json_access_line_with_its_request_id():
    result = _manage("shell", "-v", "0", "-c", _REQUEST, **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200 prod-req-00000001"
    lines = [json.loads(line) for line in result.stderr.splitlines()]  # every line, Python's warnings too
    [access] = [line for line in lines if line["logger"] == "openleg.access"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", access.pop("time"))
    assert 0 < access.pop("duration_ms") < 10_000
    assert access == {
        "level": "INFO",
        "logger": "openleg.access",
        "message": "GET /healthz 200",
        "request_id": "prod-req-00000001",
        "method": "GET",
        "path": "/healthz",
        "route": "healthz",
        "status": 200,
    }


def test_health_and_metrics_are_not_redirected_to_https():
    script = "from django.conf import settings; print(settings.SECURE_REDIRECT_EXEMPT)"
    result = _manage("shell", "-v", "0", "-c", script, **PRODUCTION_ENV)
    assert result.stdout.strip() == "['^healthz$', '^metrics$']"
