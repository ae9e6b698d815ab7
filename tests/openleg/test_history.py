from datetime import UTC, datetime, timedelta

import pytest

from openleg.errors import DomainError
from openleg.history import step_moment
from openleg.periods import ZURICH, utc_now


def test_no_moment_is_now():
    before = utc_now()
    assert before <= step_moment(None, latest=None) <= utc_now()


def test_an_earlier_moment_is_kept_in_utc():
    at = datetime(2025, 6, 2, 9, 30, tzinfo=ZURICH)
    latest = datetime(2025, 6, 1, tzinfo=UTC)
    assert step_moment(at, latest=latest) == datetime(2025, 6, 2, 7, 30, tzinfo=UTC)


def test_a_moment_before_the_latest_step_is_refused_in_german():
    with pytest.raises(DomainError) as refused:
        step_moment(datetime(2025, 6, 2, 7, 30, tzinfo=UTC), latest=datetime(2025, 6, 3, 8, 0, tzinfo=UTC))
    assert refused.value.message == "Der Zeitpunkt 02.06.2025 09:30 liegt vor dem letzten Schritt vom 03.06.2025 10:00."


def test_a_moment_in_the_future_is_refused():
    later = utc_now() + timedelta(hours=2)
    with pytest.raises(DomainError) as refused:
        step_moment(later, latest=None)
    assert refused.value.message.endswith("liegt in der Zukunft.")


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        step_moment(datetime(2025, 6, 2), latest=None)  # noqa: DTZ001
