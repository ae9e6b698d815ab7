"""Request id, access log line and request counters of openleg.request_signals, through real requests."""

import io
import json
import logging
import re
from logging.config import dictConfig

import pytest
from django.conf import settings

from openleg.log_context import LogContextFilter, request_id_from
from openleg.metrics import REGISTRY
from openleg.settings.components import logging_settings


@pytest.fixture
def json_logs():
    """Production's logging (JSON lines) for the test, its console handler writing into a buffer; the test
    settings' logging afterwards."""
    buffer = io.StringIO()
    config = logging_settings(json_lines=True, level="INFO")
    config["handlers"]["console"]["stream"] = buffer
    dictConfig(config)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    dictConfig(settings.LOGGING)


def _access_lines(lines):
    return [line for line in lines if line["logger"] == "openleg.access"]


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("3f2a9c1e-77b4-4c1d-9a52-0c4e5b6d7e8f", True),
        ("trace.abc_DEF-12345678", True),
        ("short", False),  # fewer than 8 characters
        ("x" * 65, False),  # more than 64
        ("abc def 12345678", False),  # a space
        ('abc"12345678', False),  # a quote
        ("abc\n12345678", False),  # a line break could forge a log line
        ("", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_well_formed(header, kept):
    result = request_id_from(header)
    if kept:
        assert result == header
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", result)


@pytest.mark.django_db
def test_the_proxy_request_id_comes_back_in_the_response_header(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="3f2a9c1e-77b4-4c1d-9a52-0c4e5b6d7e8f")
    assert response["X-Request-ID"] == "3f2a9c1e-77b4-4c1d-9a52-0c4e5b6d7e8f"


@pytest.mark.django_db
def test_a_request_without_id_gets_a_new_one_each_time(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.django_db
def test_the_access_log_line_of_a_signed_in_request(client, staff_user, json_logs):
    client.force_login(staff_user)
    response = client.get("/admin/billing/billingrun/?status=draft", HTTP_X_REQUEST_ID="req-0000-1111-2222")
    assert response.status_code == 200

    [line] = _access_lines(json_logs())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line.pop("time"))
    assert isinstance(line.pop("duration_ms"), float)
    assert line == {
        "level": "INFO",
        "logger": "openleg.access",
        "message": "GET /admin/billing/billingrun/ 200",
        "request_id": "req-0000-1111-2222",
        "method": "GET",
        "path": "/admin/billing/billingrun/",  # never the query string: it may carry what is not for logs
        "route": "admin:billing_billingrun_changelist",
        "status": 200,
        "user_id": staff_user.pk,
    }


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user_and_a_redirect_status(client, json_logs):
    client.get("/utility/", HTTP_X_REQUEST_ID="anon-request-0001")

    [line] = _access_lines(json_logs())
    assert (line["status"], line["route"], line["request_id"]) == (302, "portal:home", "anon-request-0001")
    assert "user_id" not in line


@pytest.mark.django_db
@pytest.mark.urls("tests.openleg.error_urls")
def test_a_failing_view_logs_its_exception_as_a_string_with_the_request_id(client, json_logs):
    client.raise_request_exception = False
    response = client.get("/test-errors/500/", HTTP_X_REQUEST_ID="boom-request-0001")
    assert response.status_code == 500

    lines = json_logs()
    [error] = [line for line in lines if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["request_id"] == "boom-request-0001"
    assert error["exception"].startswith("Traceback (most recent call last):")
    assert error["exception"].endswith("RuntimeError: a bug")
    [access] = _access_lines(lines)
    assert (access["status"], access["request_id"]) == (500, "boom-request-0001")


def test_log_lines_outside_a_request_have_no_request_id():
    record = logging.LogRecord("openleg", logging.INFO, __file__, 1, "idle", None, None)
    LogContextFilter().filter(record)
    assert (record.request_id, record.task_id, record.task_name, record.context) == ("", "", "", "")


def _count(method, route, status):
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("openleg_http_requests_total", labels) or 0


def _observations(route):
    return REGISTRY.get_sample_value("openleg_http_request_duration_seconds_count", {"route": route}) or 0


@pytest.mark.django_db
def test_requests_are_counted_by_method_route_and_status_class(client):
    before = {
        "ok": _count("GET", "healthz", "2xx"),
        "redirect": _count("GET", "portal:home", "3xx"),
        "unmatched": _count("GET", "<unmatched>", "4xx"),
        "other": _count("other", "healthz", "4xx"),
        "observed": _observations("healthz"),
    }
    for _ in range(3):
        client.get("/healthz")
    client.get("/utility/")
    client.get("/utility/")
    client.get("/no/such/page/12345/")
    client.generic("BREW", "/healthz")

    assert _count("GET", "healthz", "2xx") - before["ok"] == 3
    assert _count("GET", "portal:home", "3xx") - before["redirect"] == 2
    assert _count("GET", "<unmatched>", "4xx") - before["unmatched"] == 1
    assert _count("other", "healthz", "4xx") - before["other"] == 1  # 405, an unknown method counted as "other"
    assert _observations("healthz") - before["observed"] == 4
