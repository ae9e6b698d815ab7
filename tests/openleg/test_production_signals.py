"""Production settings, in a process of their own: a request's log lines are JSON, /metrics is not redirected."""

import json
import os
import re
import socket
import subprocess

from django.conf import settings

from tests.openleg.test_deploy import PRODUCTION_ENV, _compose, _manage

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


def test_web_and_worker_count_into_their_own_folders_of_a_shared_volume():
    services = _compose()["services"]
    assert "metrics:/var/lib/openleg/metrics" in _compose()["x-app"]["volumes"]
    assert _compose()["x-app"]["environment"]["OPENLEG_METRICS_DIR"] == "/var/lib/openleg/metrics"
    assert "exec sh deploy/metrics-dir.sh uvicorn openleg.asgi:application" in services["web"]["command"]
    assert services["web"]["command"].endswith('--no-access-log"')  # openleg.access writes the access lines
    assert services["worker"]["command"] == "sh deploy/metrics-dir.sh celery -A openleg worker --loglevel=INFO"


def test_the_metrics_folder_script_gives_each_container_its_own_folder(tmp_path):
    result = subprocess.run(
        ["sh", "deploy/metrics-dir.sh", "sh", "-c", 'echo "$PROMETHEUS_MULTIPROC_DIR"'],
        env={"OPENLEG_METRICS_DIR": str(tmp_path), "PATH": os.environ["PATH"]},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    folder = tmp_path / socket.gethostname()
    assert result.stdout.strip() == str(folder)
    assert folder.is_dir()


def test_the_proxy_gives_every_request_its_own_id():
    caddyfile = (settings.BASE_DIR / "deploy" / "Caddyfile").read_text()
    assert "header_up X-Request-ID {http.request.uuid}" in caddyfile  # a client's own id is replaced, not believed
