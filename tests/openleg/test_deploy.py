"""Production hardening: Django's deploy checks, and the compose file that publishes the app only behind TLS."""

import os
import subprocess
import sys

import yaml
from django.conf import settings


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL", "OPENLEG_BEHIND_PROXY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, "DJANGO_SETTINGS_MODULE": "openleg.settings.production", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "k7Qp2vXz9LmN4rTy8WbE3sHd6JfG1aZc5UoVi0KxYq7MnBlRpSt",
    "DATABASE_URL": "sqlite:////tmp/openleg-deploy-check.sqlite3",
    "ALLOWED_HOSTS": "leg.example.ch",
}


def test_check_deploy_with_production_settings_finds_nothing():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_trusts_x_forwarded_proto_only_behind_the_proxy():
    script = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    alone = _manage("shell", "-v", "0", "-c", script, **PRODUCTION_ENV)
    behind = _manage("shell", "-v", "0", "-c", script, **PRODUCTION_ENV, OPENLEG_BEHIND_PROXY="True")

    assert (alone.stdout.strip(), behind.stdout.strip()) == ("None", "('HTTP_X_FORWARDED_PROTO', 'https')")


def test_development_settings_trust_no_forwarded_header():
    assert settings.SECURE_PROXY_SSL_HEADER is None


def _compose() -> dict:
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


def test_compose_has_no_default_secret_key():
    assert _compose()["x-app"]["environment"]["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY to a long random string}"


def test_compose_publishes_only_the_tls_proxy():
    services = _compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}

    assert published == {"proxy": ["80:80", "443:443"]}
    assert services["web"]["expose"] == ["8000"]
    assert services["web"]["environment"]["OPENLEG_BEHIND_PROXY"] == "True"
    assert services["proxy"]["volumes"][0] == "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro"
    assert "reverse_proxy web:8000" in (settings.BASE_DIR / "deploy" / "Caddyfile").read_text()
