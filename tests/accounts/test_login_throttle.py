"""Too many wrong passwords lock the account and the address for a while, on both login pages."""

import hashlib
import secrets
import threading
import time

import pytest
from django.test import Client

from accounts.login_throttle import failure_keys, login_succeeded, login_try_begin
from tests.accounts.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
LOGINS = {"portal": "/accounts/login/", "admin": "/admin/login/"}


def _new_address() -> str:
    """A random documentation address: tests (and parallel workers sharing Redis) never count each other's tries."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::{secrets.token_hex(2)}"


@pytest.fixture
def address():
    return _new_address()


@pytest.fixture
def user(db):
    return StaffUserFactory(username=f"clerk-{time.monotonic_ns()}")


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_THROTTLE_ACCOUNT_FAILURES = 5
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 20
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 900


def _try(url: str, username: str, password: str, address: str, forwarded_for: str | None = None):
    client = Client(REMOTE_ADDR=address)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(url, {"username": username, "password": password}, **extra)


def _locked_out(response) -> bool:
    return "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()


@pytest.mark.parametrize("door", sorted(LOGINS))
def test_fifty_wrong_passwords_in_a_row_are_stopped_after_five(door, user, address):
    responses = [_try(LOGINS[door], user.username, "wrong", address) for _ in range(50)]

    assert [_locked_out(response) for response in responses] == [False] * 5 + [True] * 45
    assert (
        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut."
        in responses[5].content.decode()
    )


@pytest.mark.parametrize("door", sorted(LOGINS))
def test_the_right_password_is_refused_while_locked_out(door, user, address):
    for _ in range(5):
        _try(LOGINS[door], user.username, "wrong", address)

    response = _try(LOGINS[door], user.username, PASSWORD, address)

    assert response.status_code == 429
    assert 899 <= int(response["Retry-After"]) <= 900
    assert _locked_out(response)
    assert "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("door", sorted(LOGINS))
def test_a_wrong_password_before_the_limit_answers_the_form_again_not_429(door, user, address):
    response = _try(LOGINS[door], user.username, "wrong", address)

    assert response.status_code == 200
    assert "Retry-After" not in response
    assert not _locked_out(response)


def test_the_lock_of_an_account_holds_from_every_address_and_both_pages(user, address):
    for _ in range(5):
        _try(LOGINS["portal"], user.username, "wrong", address)

    response = _try(LOGINS["admin"], user.username.upper(), PASSWORD, _new_address())

    assert _locked_out(response)


def test_one_address_trying_many_accounts_is_stopped_after_twenty(db, address):
    names = [f"guess-{time.monotonic_ns()}-{n}" for n in range(25)]

    responses = [_try(LOGINS["admin"], name, "wrong", address) for name in names]

    assert [_locked_out(response) for response in responses] == [False] * 20 + [True] * 5


def test_a_correct_login_before_the_limit_starts_the_account_count_again(user, address):
    for _ in range(4):
        _try(LOGINS["portal"], user.username, "wrong", address)
    assert _try(LOGINS["portal"], user.username, PASSWORD, address).status_code == 302

    responses = [_try(LOGINS["portal"], user.username, "wrong", address) for _ in range(5)]

    assert [_locked_out(response) for response in responses] == [False] * 5


def test_the_lock_ends_after_the_window(settings, user, address):
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 1
    for _ in range(5):
        _try(LOGINS["portal"], user.username, "wrong", address)
    assert _locked_out(_try(LOGINS["portal"], user.username, PASSWORD, address))
    assert "Bitte warten Sie 1 Minute und" in _try(LOGINS["portal"], user.username, PASSWORD, address).content.decode()

    time.sleep(1.2)

    assert _try(LOGINS["portal"], user.username, PASSWORD, address).status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(settings, address):
    settings.OPENLEG_BEHIND_PROXY = True
    names = [f"guess-{time.monotonic_ns()}-{n}" for n in range(21)]

    responses = [
        _try(LOGINS["admin"], name, "wrong", "10.0.0.2", forwarded_for=f"1.2.3.4, {address}") for name in names
    ]

    assert [_locked_out(response) for response in responses] == [False] * 20 + [True]
    assert not _locked_out(_try(LOGINS["admin"], "someone", "wrong", "10.0.0.2", forwarded_for=_new_address()))


def test_failures_are_counted_under_hashed_names(rf, address):
    request = rf.post("/accounts/login/", REMOTE_ADDR=address)

    account, by_address = failure_keys(request, "Clerk")

    assert account == failure_keys(request, "clerk")[0]
    assert account == f"login-throttle:account:{hashlib.sha256(b'clerk').hexdigest()}"
    assert by_address == f"login-throttle:address:{address}"


def test_tries_are_counted_before_their_password_is_checked(rf, address):
    """Five tries in flight at once (none has failed yet) use up the account's limit: a sixth is not checked."""
    request = rf.post("/accounts/login/", REMOTE_ADDR=address)
    name = f"inflight-{time.monotonic_ns()}"

    assert [login_try_begin(request, name) for _ in range(6)] == [True] * 5 + [False]


def test_thirty_tries_at_once_check_exactly_five_passwords(rf, address):
    request = rf.post("/accounts/login/", REMOTE_ADDR=address)
    name = f"burst-{time.monotonic_ns()}"
    start, answers = threading.Barrier(30), []

    def one_try():
        start.wait()
        answers.append(login_try_begin(request, name))

    threads = [threading.Thread(target=one_try) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [False] * 25 + [True] * 5


def test_a_right_password_gives_the_address_its_try_back(rf, address):
    """Successful logins do not count against the address: 19 guesses and 5 good logins leave one guess."""
    request = rf.post("/accounts/login/", REMOTE_ADDR=address)
    for n in range(19):
        assert login_try_begin(request, f"guess-{time.monotonic_ns()}-{n}")
    for _ in range(5):
        assert login_try_begin(request, "clerk")
        login_succeeded(request, "clerk")

    assert login_try_begin(request, f"guess-{time.monotonic_ns()}")
    assert not login_try_begin(request, f"guess-{time.monotonic_ns()}")
