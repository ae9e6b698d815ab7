from datetime import date

import pytest

from openleg.errors import DomainError
from pipeline.selectors import pipeline_list
from tests.accounts.factories import StaffUserFactory
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


@pytest.fixture
def owner():
    return StaffUserFactory()


@pytest.fixture
def utilities(owner):
    return {
        "alpha": UtilityFactory(name="Alpha", score=80, stage="lead", canton="ZH", owner=owner),
        "beta": UtilityFactory(
            name="Beta",
            score=55,
            stage="contacted",
            canton="BE",
            next_action="anrufen",
            next_action_due=date(2026, 6, 14),
        ),
        "gamma": UtilityFactory(
            name="Gamma", score=55, stage="lead", canton="ZH", next_action="Demo", next_action_due=TODAY, owner=owner
        ),
        "delta": UtilityFactory(name="Delta", score=None, stage="lost", canton="BE"),
    }


def names(**filters):
    return [utility.name for utility in pipeline_list(**{"today": TODAY, **filters})]


def test_the_list_is_ordered_by_score_with_unscored_last(utilities):
    assert names() == ["Alpha", "Beta", "Gamma", "Delta"]


def test_overdue_means_due_before_today(utilities):
    assert {u.name: u.is_overdue for u in pipeline_list(today=TODAY)} == {
        "Alpha": False,
        "Beta": True,
        "Gamma": False,
        "Delta": False,
    }
    assert names(overdue=True) == ["Beta"]
    assert names(overdue=False) == ["Alpha", "Gamma", "Delta"]
    assert names(overdue=True, today=date(2026, 6, 16)) == ["Beta", "Gamma"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stage": "lead"}, ["Alpha", "Gamma"]),
        ({"canton": "BE"}, ["Beta", "Delta"]),
        ({"score_min": 55, "score_max": 79}, ["Beta", "Gamma"]),
        ({"score_min": 81}, []),
        ({"stage": "lead", "canton": "ZH", "score_max": 60}, ["Gamma"]),
    ],
)
def test_the_filters_combine(utilities, filters, expected):
    assert names(**filters) == expected


def test_the_owner_filter_takes_a_user_or_an_id(utilities, owner):
    assert names(owner=owner) == ["Alpha", "Gamma"]
    assert names(owner=owner.pk) == ["Alpha", "Gamma"]


def test_the_owner_comes_with_the_list(utilities, django_assert_num_queries):
    with django_assert_num_queries(1):
        owners = [u.owner.username if u.owner else None for u in pipeline_list(today=TODAY)]
    assert owners == [utilities["alpha"].owner.username, None, utilities["gamma"].owner.username, None]


def test_today_defaults_to_the_day_in_zurich(utilities, monkeypatch):
    monkeypatch.setattr("pipeline.selectors.local_today", lambda: date(2026, 6, 16))
    assert [u.name for u in pipeline_list(overdue=True)] == ["Beta", "Gamma"]


@pytest.mark.parametrize(
    ("filters", "message", "field"),
    [
        ({"stage": "won"}, "Die Phase «won» gibt es nicht.", "stage"),
        ({"canton": "XX"}, "Den Kanton «XX» gibt es nicht.", "canton"),
    ],
)
def test_unknown_filter_values_are_refused_with_a_message(filters, message, field):
    with pytest.raises(DomainError) as refused:
        pipeline_list(**filters)
    assert (refused.value.message, refused.value.field) == (message, field)
