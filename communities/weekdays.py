"""Weekdays as people read them: the digits a tariff window stores (1 = Monday … 7 = Sunday, ISO) in words,
"Montag bis Freitag", "Samstag und Sonntag". Every document and the admin name a window's days through here."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DAY_NAMES = {
    1: gettext_lazy("Montag"),
    2: gettext_lazy("Dienstag"),
    3: gettext_lazy("Mittwoch"),
    4: gettext_lazy("Donnerstag"),
    5: gettext_lazy("Freitag"),
    6: gettext_lazy("Samstag"),
    7: gettext_lazy("Sonntag"),
}


def _runs(days: list[int]) -> list[list[int]]:
    """Consecutive days grouped: [1, 2, 3, 5] -> [[1, 2, 3], [5]]."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _parts(run: list[int]) -> list[str]:
    """A run of three days or more as a range ("Montag bis Freitag"), shorter runs day by day."""
    if len(run) >= 3:
        return [_("%(first)s bis %(last)s") % {"first": DAY_NAMES[run[0]], "last": DAY_NAMES[run[-1]]}]
    return [str(DAY_NAMES[day]) for day in run]


def weekdays_in_words(digits: str) -> str:
    """``"12345"`` -> "Montag bis Freitag", ``"67"`` -> "Samstag und Sonntag", ``"1234567"`` -> "täglich"."""
    days = sorted({int(digit) for digit in digits})
    if len(days) == 7:
        return _("täglich")
    parts = [part for run in _runs(days) for part in _parts(run)]
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(list)s und %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}


class WeekdaysField(forms.MultipleChoiceField):
    """The days as seven labelled checkboxes; cleaned to the stored digits ("12345")."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, max_length=None, empty_value=None, **kwargs):
        super().__init__(choices=[(str(day), name) for day, name in DAY_NAMES.items()], **kwargs)

    def prepare_value(self, value):
        return list(value) if isinstance(value, str) else value

    def clean(self, value) -> str:
        return "".join(sorted(set(super().clean(value))))
