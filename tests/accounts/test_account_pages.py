"""Login, logout, password change and reset by e-mail in German for utility users."""

import re
import secrets

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.factories import StaffUserFactory, UtilityUserFactory
from tests.openleg.test_german_pages import assert_german

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
NEW_PASSWORD = "Sonnenberg-Strom-2027"


def _client() -> Client:
    """A client from its own documentation address, so the login throttle never counts other tests' tries."""
    return Client(REMOTE_ADDR=f"2001:db8:{secrets.token_hex(2)}::{secrets.token_hex(2)}")


@pytest.fixture(autouse=True)
def reset_mails_unthrottled(settings):
    """These tests reuse one e-mail address across runs within the hour; test_reset_throttle.py tests the limit."""
    settings.PASSWORD_RESET_THROTTLE_EMAIL_MAILS = 10**6


@pytest.fixture
def user():
    return UtilityUserFactory(
        username=f"desk-{secrets.token_hex(3)}", email="petra@ews-demo.example", first_name="Petra", last_name="Demo"
    )


def _logs_in(username: str, password: str) -> bool:
    response = _client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and response.url == "/utility/"


def test_a_wrong_password_says_so_in_german(user):
    response = _client().post("/accounts/login/", {"username": user.username, "password": "falsch"})

    assert response.status_code == 200
    assert (
        "Benutzername oder Passwort ist falsch. Bitte prüfen Sie beides; die Gross- und Kleinschreibung zählt."
        in response.content.decode()
    )


def test_staff_land_in_the_admin_and_utility_users_in_the_portal(user):
    staff = StaffUserFactory()
    for username, landing in ((staff.username, "/admin/"), (user.username, "/utility/")):
        response = _client().post("/accounts/login/", {"username": username, "password": PASSWORD})

        assert (response.status_code, response.url) == (302, landing)
    asked = _client().post("/accounts/login/?next=/utility/", {"username": staff.username, "password": PASSWORD})
    assert asked.url == "/utility/"


def test_the_login_page_offers_the_reset():
    page = _client().get("/accounts/login/").content.decode()

    assert '<a href="/accounts/password_reset/">Passwort vergessen?</a>' in page


def test_logout_ends_the_session(user):
    client = _client()
    client.force_login(user)
    assert client.get("/utility/").status_code == 200

    response = client.post("/accounts/logout/")

    assert (response.status_code, response.url) == (302, "/accounts/login/")
    assert client.get("/utility/").url == "/accounts/login/?next=/utility/"


def test_password_change_needs_the_old_password_and_takes_the_new_one(user):
    client = _client()
    assert client.get("/accounts/password_change/").url == "/accounts/login/?next=/accounts/password_change/"
    client.force_login(user)
    page = client.get("/accounts/password_change/").content.decode()
    assert "<h1>Passwort ändern</h1>" in page
    assert 'href="/accounts/password_change/"' in page  # the header link on every page

    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "falsch", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Das alte Passwort war falsch. Bitte neu eingeben." in wrong.content.decode()

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert (response.status_code, response.url) == (302, "/accounts/password_change/done/")
    assert "Ihr neues Passwort gilt ab sofort." in client.get(response.url).content.decode()
    assert client.get("/utility/").status_code == 200  # still logged in
    assert _logs_in(user.username, NEW_PASSWORD) is True
    assert _logs_in(user.username, PASSWORD) is False


def _reset_link(email: str) -> str:
    response = _client().post("/accounts/password_reset/", {"email": email})
    assert (response.status_code, response.url) == (302, "/accounts/password_reset/done/")
    assert len(mail.outbox) == 1
    return re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)


def test_the_reset_e_mail_is_german_and_its_link_sets_a_new_password(user, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    link = _reset_link("Petra@EWS-demo.example")
    message = mail.outbox[0]

    assert message.to == ["petra@ews-demo.example"]
    assert message.subject == "OpenLEG: Link für ein neues Passwort"
    assert message.body.startswith(
        f"Guten Tag Petra Demo\n\nFür Ihr OpenLEG-Konto «{user.username}» wurde ein neues Passwort verlangt. "
        "Über diesen Link legen Sie es fest:\n\nhttp://testserver/accounts/reset/"
    )
    assert "Der Link gilt 72 Stunden und nur einmal." in message.body
    assert "ß" not in message.body

    client = _client()
    form_url = client.get(link).url  # Django moves the token into the session
    assert "<h1>Neues Passwort festlegen</h1>" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert (response.status_code, response.url) == (302, "/accounts/reset/done/")
    assert _logs_in(user.username, NEW_PASSWORD) is True
    used = _client().get(link, follow=True).content.decode()
    assert "Dieser Link ist ungültig: Er wurde schon benutzt oder ist abgelaufen." in used


def test_a_reset_lifts_the_lock_of_the_account(user, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_FAILURES = 5
    for _ in range(5):
        _client().post("/accounts/login/", {"username": user.username, "password": "falsch"})
    assert _logs_in(user.username, PASSWORD) is False

    client = _client()
    form_url = client.get(_reset_link(user.email)).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert _logs_in(user.username, NEW_PASSWORD) is True


def test_no_reset_mail_for_staff_or_an_unknown_address_and_the_same_answer():
    StaffUserFactory(email="staff@openleg.example")
    for email in ("staff@openleg.example", "niemand@example.ch"):
        response = _client().post("/accounts/password_reset/", {"email": email})

        assert (response.status_code, response.url) == (302, "/accounts/password_reset/done/")
    assert mail.outbox == []
    done = _client().get("/accounts/password_reset/done/").content.decode()
    assert "Wenn zu dieser Adresse ein Konto besteht, erhalten Sie in wenigen Minuten eine E-Mail" in done


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/kein-token/",
        "/accounts/reset/done/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ],
)
def test_every_account_page_is_german_in_swiss_spelling(user, url):
    client = _client()
    client.force_login(user)

    assert_german(client.get(url), url)
