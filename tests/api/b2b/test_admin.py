"""B2B clients in the admin: keys made inline (the secret shown once), revoked by an action, and each client's usage
of the last 30 days: a chart of calls per day and totals per endpoint in Swiss format."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from api.b2b.charts import calls_per_day_svg
from api.b2b.usage import DayUsage
from api.models import ApiClient, ApiKey, ApiUsage
from api.tokens import secret_hash
from openleg.periods import local_today

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:api_apiclient_add")
KEYS_URL = reverse("admin:api_apikey_changelist")


def inline(prefix="keys", total=0, initial=0, rows=()) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def client_form(**overrides) -> dict:
    return {
        "company": "Solarplan AG", "contact_name": "Eva Meier", "contact_email": "eva@solarplan.ch",
        "tier": "enterprise", "allowed_cantons": ["ZH", "AG"], "hourly_limit": "100", "daily_limit": "1000",
        "endpoints": ["status"], "active": "on", **overrides,
    }


def test_a_client_made_in_the_admin_with_a_key_whose_secret_is_shown_once(staff, staff_user):
    response = staff.post(ADD_URL, {**client_form(), **inline(total=1, rows=[{"name": "Produktion"}])})
    assert response.status_code == 302
    client, key = ApiClient.objects.get(), ApiKey.objects.get()
    assert (client.company, client.tier, client.allowed_cantons, client.endpoints, client.hourly_limit) == (
        "Solarplan AG", "enterprise", ["AG", "ZH"], ["status"], 100
    )
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    secret = shown[0].rsplit(": ", 1)[1]
    assert shown[0] == "Der API-Schlüssel «Produktion» wird nur jetzt angezeigt, bitte sicher ablegen: " + secret
    assert (secret[:12], key.secret_hash, key.created_by, key.client) == (
        key.prefix, secret_hash(secret), staff_user, client
    )
    change_url = reverse("admin:api_apiclient_change", args=[client.pk])
    assert secret in staff.get(change_url).content.decode()  # the page after saving shows the message once
    assert secret not in staff.get(change_url).content.decode()  # and never again


def test_a_limit_of_zero_is_refused_at_its_field(staff):
    response = staff.post(ADD_URL, {**client_form(hourly_limit="0"), **inline()})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"hourly_limit": ["Ein Limit muss mindestens 1 Aufruf sein."]}


def test_keys_are_revoked_by_the_list_action_and_never_added_or_deleted_there(staff, make_key):
    first, second = make_key(), make_key()
    response = staff.post(
        KEYS_URL, {"action": "revoke", "_selected_action": [first.key.pk, second.key.pk]}, follow=True
    )
    assert "2 Schlüssel widerrufen." in response.content.decode()
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 0
    assert staff.get(reverse("admin:api_apikey_add")).status_code == 403


def test_the_usage_page_shows_30_days_and_the_totals_per_endpoint(staff, make_client):
    client = make_client()
    today = local_today()
    ApiUsage.objects.create(client=client, endpoint="status", day=today, calls=1234, denied=5)
    ApiUsage.objects.create(client=client, endpoint="status", day=today - timedelta(days=29), calls=6, denied=0)
    ApiUsage.objects.create(client=client, endpoint="solar-index", day=today - timedelta(days=3), calls=10, denied=2)
    ApiUsage.objects.create(client=client, endpoint="status", day=today - timedelta(days=30), calls=999, denied=9)
    page = staff.get(reverse("admin:api_apiclient_usage", args=[client.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    cell = '<td style="text-align:right">{}</td>'
    assert f"<tr><td>solar-index</td>{cell.format('10')}{cell.format('2')}</tr>" in html
    assert "<tr><td>status</td>" + cell.format("1&#x27;240") + cell.format("5") + "</tr>" in html  # 1'240
    assert '<th style="text-align:right">1&#x27;250</th><th style="text-align:right">7</th>' in html
    assert html.count('<rect class="calls"') == 3 and html.count('<rect class="denied"') == 2
    assert "Aufrufe pro Tag, letzte 30 Tage" in html


def test_the_chart_stacks_denied_calls_on_the_answered_ones():
    today = local_today()
    svg = calls_per_day_svg([DayUsage(today, 1234, 6), DayUsage(today + timedelta(days=1), 0, 0)], "Aufrufe")
    assert svg.count("<rect class=") == 2
    assert f"<title>{today:%d.%m.%Y}: 1&#x27;234 Aufrufe, 6 abgewiesen</title>" in svg
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
