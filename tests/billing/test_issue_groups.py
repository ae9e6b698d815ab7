"""A run's issues as people read them: blocking ones first and each on its own, hints grouped by kind, many hints
of one kind folded under their count (one night of PV per day of a month must not bury the page)."""

from billing.run_page import issue_groups


def _hint(code: str, n: int) -> dict:
    return {"code": code, "message": f"{code} {n}", "blocking": False, "participant": None}


def test_blocking_issues_come_first_each_on_its_own_and_many_hints_of_a_kind_are_folded():
    issues = [
        *(_hint("plausibility", n) for n in range(4)),
        {"code": "missing_data", "message": "Messpunkt X fehlt am 02.11.2026.", "blocking": True},
        _hint("bad_keys", 1),
        {"code": "missing_data", "message": "Messpunkt Y fehlt am 03.11.2026.", "blocking": True},
    ]

    groups = issue_groups(issues)

    assert groups == [
        {"blocking": True, "title": "", "messages": ["Messpunkt X fehlt am 02.11.2026."]},
        {"blocking": True, "title": "", "messages": ["Messpunkt Y fehlt am 03.11.2026."]},
        {
            "blocking": False,
            "title": "Plausibilitätshinweise zu den Messdaten",
            "messages": ["plausibility 0", "plausibility 1", "plausibility 2", "plausibility 3"],
            "folded": True,
        },
        {"blocking": False, "title": "Hinweise", "messages": ["bad_keys 1"], "folded": False},
    ]


def test_three_hints_of_a_kind_stay_open():
    assert [group["folded"] for group in issue_groups([_hint("plausibility", n) for n in range(3)])] == [False]
