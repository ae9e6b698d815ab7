"""GET /metrics: who may read it, what it says, and the sum over processes."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families

FOREIGN = "203.0.113.5"
TOKEN = "m3tr1cs-t0ken-for-prometheus-only"


def _samples(response) -> dict:
    """Every sample of the exposition: {(name, ((label, value), …)): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.django_db
def test_from_a_foreign_address_without_token_it_is_not_there(client):
    response = client.get("/metrics", REMOTE_ADDR=FOREIGN)
    assert response.status_code == 404
    assert response.content == client.get("/no-such-page", REMOTE_ADDR=FOREIGN).content  # the ordinary 404 page


@pytest.mark.django_db
def test_a_post_from_a_foreign_address_gets_404_not_405(client):
    assert client.post("/metrics", REMOTE_ADDR=FOREIGN).status_code == 404
    assert client.post("/metrics").status_code == 405  # from loopback: allowed to know it is there


@pytest.mark.django_db
def test_the_token_opens_it_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.OPENLEG_METRICS_TOKEN = TOKEN
    right = client.get("/metrics", REMOTE_ADDR=FOREIGN, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert right.status_code == 200
    assert right["Content-Type"] == "text/plain; version=1.0.0; charset=utf-8"
    for wrong in (f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}", "Bearer ", ""):
        assert client.get("/metrics", REMOTE_ADDR=FOREIGN, HTTP_AUTHORIZATION=wrong).status_code == 404, wrong


@pytest.mark.django_db
def test_without_a_configured_token_an_empty_bearer_opens_nothing(client, settings):
    settings.OPENLEG_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR=FOREIGN, HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote", "allowed", "status"),
    [
        ("127.0.0.1", ["127.0.0.1", "::1"], 200),  # the default: loopback only
        ("::1", ["127.0.0.1", "::1"], 200),
        ("::ffff:127.0.0.1", ["127.0.0.1"], 200),  # IPv4 seen through an IPv6 socket
        ("172.18.0.9", ["127.0.0.1", "::1"], 404),
        ("172.18.0.9", ["172.18.0.0/16"], 200),  # a network: the compose network's Prometheus
        ("172.19.0.9", ["172.18.0.0/16"], 404),
        ("not-an-address", ["127.0.0.1"], 404),
    ],
)
def test_addresses_and_networks_of_the_list_may_read_it(client, settings, remote, allowed, status):
    settings.OPENLEG_METRICS_ALLOWED_IPS = allowed
    assert client.get("/metrics", REMOTE_ADDR=remote).status_code == status


@pytest.mark.django_db
def test_behind_the_proxy_the_address_the_proxy_saw_counts(client, settings):
    settings.OPENLEG_BEHIND_PROXY = True
    # Caddy on loopback forwards an outside client: the proxy's own address must not open it.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 404
    # A client that forges the header: the proxy appends the address it saw, the last one is taken.
    forged = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 198.51.100.7")
    assert forged.status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_without_the_proxy_a_forwarded_header_is_not_believed(client):
    assert client.get("/metrics", REMOTE_ADDR=FOREIGN, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404


def _requests(samples, route, status="2xx", method="GET"):
    key = ("openleg_http_requests_total", (("method", method), ("route", route), ("status", status)))
    return samples.get(key, 0)


@pytest.mark.django_db
def test_the_request_counters_after_n_requests(client):
    before = _samples(client.get("/metrics"))
    for _ in range(5):
        client.get("/healthz")
    client.get("/utility/")
    after = _samples(client.get("/metrics"))

    assert _requests(after, "healthz") - _requests(before, "healthz") == 5
    assert _requests(after, "portal:home", "3xx") - _requests(before, "portal:home", "3xx") == 1
    assert _requests(after, "metrics") - _requests(before, "metrics") == 1  # the first scrape, counted after it
    count = ("openleg_http_request_duration_seconds_count", (("route", "healthz"),))
    assert after[count] - before.get(count, 0) == 5
    assert not [key for key in after if dict(key[1]).get("route", "").startswith("/")]  # never a raw path


@pytest.mark.django_db
def test_a_task_counter_after_a_task_ran(client):
    from openleg.tasks import heartbeat

    key = ("openleg_celery_tasks_total", (("outcome", "succeeded"), ("task", "openleg.tasks.heartbeat")))
    before = _samples(client.get("/metrics")).get(key, 0)
    heartbeat.delay()
    assert _samples(client.get("/metrics"))[key] - before == 1


_COUNT_IN_A_PROCESS = """
from openleg.metrics import observe_request, observe_task
for _ in range({n}):
    observe_request(method="GET", route="portal:home", status=200, seconds=0.02)
observe_task(task="billing.tasks.start_monthly_billing", outcome="failed", seconds=1.5)
"""


@pytest.mark.django_db
def test_counters_of_several_processes_and_containers_are_summed(client, settings, tmp_path):
    """Two uvicorn processes of one container and a process of another: each writes its own files."""
    for folder, n in (("web-a", 3), ("web-a", 4), ("worker-b", 5)):
        (tmp_path / folder).mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, "-c", _COUNT_IN_A_PROCESS.format(n=n)],
            env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / folder), "PYTHONPATH": str(django_settings.BASE_DIR)},
            check=True,
            timeout=60,
        )
    assert len(list(tmp_path.glob("*/counter_*.db"))) == 3
    settings.OPENLEG_METRICS_DIR = str(tmp_path)

    samples = _samples(client.get("/metrics"))

    assert _requests(samples, "portal:home") == 12
    assert samples[("openleg_http_request_duration_seconds_count", (("route", "portal:home"),))] == 12
    assert samples[("openleg_http_request_duration_seconds_bucket", (("le", "0.025"), ("route", "portal:home")))] == 12
    assert samples[("openleg_http_request_duration_seconds_bucket", (("le", "0.01"), ("route", "portal:home")))] == 0
    task = ("openleg_celery_tasks_total", (("outcome", "failed"), ("task", "billing.tasks.start_monthly_billing")))
    assert samples[task] == 3
    assert _requests(samples, "metrics") == 0  # this process's own counters are not in the folder
