"""Password reset requests are throttled: a few mails per e-mail address, a bounded number of requests per address.

Beyond the e-mail address's limit the answer stays the same (no mail, the same page: nobody learns whether an
account exists); beyond the client address's limit the form says to wait. Counts live in the cache (Redis in CI).
"""

import secrets

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.factories import UtilityUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESET_THROTTLE_EMAIL_MAILS = 3
    settings.PASSWORD_RESET_THROTTLE_ADDRESS_REQUESTS = 5
    settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = 3600


def _address() -> str:
    return f"2001:db8:{secrets.token_hex(2)}::{secrets.token_hex(2)}"


def _ask(email: str, address: str):
    return Client(REMOTE_ADDR=address).post("/accounts/password_reset/", {"email": email})


def test_a_fourth_reset_mail_to_one_address_within_the_hour_is_not_sent_and_the_answer_is_the_same():
    user = UtilityUserFactory(email=f"desk-{secrets.token_hex(4)}@ews-demo.example")
    answers = [_ask(user.email.upper(), _address()) for _ in range(4)]

    assert [(answer.status_code, answer.url) for answer in answers] == [(302, "/accounts/password_reset/done/")] * 4
    assert len(mail.outbox) == 3


def test_a_sixth_request_from_one_address_is_refused_with_a_german_message():
    address = _address()
    for n in range(5):
        assert _ask(f"niemand{n}-{secrets.token_hex(4)}@example.ch", address).status_code == 302

    refused = _ask(f"noch-{secrets.token_hex(4)}@example.ch", address)

    assert refused.status_code == 200
    assert (
        "Zu viele Anfragen für ein neues Passwort von Ihrer Adresse. Bitte warten Sie 60 Minuten und versuchen Sie "
        "es dann erneut." in refused.content.decode()
    )
    assert _ask(f"andere-{secrets.token_hex(4)}@example.ch", _address()).status_code == 302
