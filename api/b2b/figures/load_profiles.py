"""load-profiles: the average quarter-hour profile of a typical day of one municipality's community participants
of one kind, in one month, from the stored meter data.

The unit is a metering point of a participant of the asked kind (and role, if asked) in a community of the
municipality, counted for the days its membership covers. Each delivered quarter-hour of the month is filed under
its Europe/Zurich wall-clock label ("00:00" … "23:45"); a label's value is the mean of all quarter-hours filed under
it, in kWh per quarter-hour. DST: the spring day has no 02:00–02:45 and the autumn day has them twice, so those
labels simply have one observation fewer or more that day; no value is invented or dropped. Quarter-hours not
delivered are left out, never read as zero.

Anonymity: a profile is only given when it is built from at least ``MINIMUM_PARTICIPANTS`` participants AND at
least ``MINIMUM_COMMUNITIES`` communities. Both: five participants of one community would show that community's
own profile, and five communities with one participant of the kind each would show single households.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers

from api.b2b.figures.places import PlaceAnswer, PlaceQuery, place_of
from api.b2b.query_fields import QueryChoiceField, QueryIntegerField
from api.b2b.scope import ClientScope
from communities.models import Membership, ParticipantKind, ParticipantRole
from metering.models import Direction
from metering.selectors import series_for_period
from openleg.periods import QUARTER_HOUR, ZURICH, Period, local_month

ENDPOINT = "load-profiles"
MINIMUM_PARTICIPANTS = 5
MINIMUM_COMMUNITIES = 5
LABELS = [f"{slot // 4:02d}:{slot % 4 * 15:02d}" for slot in range(96)]
# As the schema states it (a pattern the contract test generates from): a month of 1900–2099.
MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
_WH = Decimal("0.001")
_MWH_PER_KWH = 1_000_000
DST_RULE = (
    "Jede Viertelstunde zählt unter ihrer Ortszeit (Europe/Zurich); am Tag der Umstellung auf Sommerzeit fehlen "
    "02:00–02:45, am Tag der Umstellung auf Winterzeit zählen sie doppelt."
)


class LoadProfilesQuery(PlaceQuery):
    municipality = QueryIntegerField(min_value=1, max_value=9999, help_text="BFS-Nummer der Gemeinde.")
    month = serializers.RegexField(
        MONTH_PATTERN,
        help_text="Monat als JJJJ-MM, z. B. 2026-03.",
        error_messages={"invalid": _lazy("Bitte den Monat als JJJJ-MM angeben, z. B. 2026-03.")},
    )
    kind = QueryChoiceField(choices=ParticipantKind.choices, help_text="Art der Teilnehmenden.")
    role = QueryChoiceField(choices=ParticipantRole.choices, required=False, help_text="Rolle (optional).")
    direction = QueryChoiceField(
        choices=Direction.choices, default=Direction.CONSUMPTION, help_text="Bezug (Standard) oder Einspeisung."
    )


class ProfileValue(serializers.Serializer):
    time = serializers.CharField(help_text="Ortszeit Europe/Zurich, Beginn der Viertelstunde")
    kwh = serializers.CharField(allow_null=True, help_text="Mittelwert in kWh je Viertelstunde")


class LoadProfilesAnswer(serializers.Serializer):
    place = PlaceAnswer()
    month = serializers.CharField()
    kind = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    direction = serializers.CharField()
    status = serializers.ChoiceField(choices=["ok", "too_few_communities", "no_data"])
    participants = serializers.IntegerField()
    communities = serializers.IntegerField()
    minimum_participants = serializers.IntegerField()
    minimum_communities = serializers.IntegerField()
    reason = serializers.CharField(allow_null=True)
    dst_rule = serializers.CharField()
    profile = ProfileValue(many=True, allow_null=True)


EXAMPLE = {
    "place": {"level": "municipality", "canton": "ZH", "municipality": {"bfs_number": 261, "name": "Zürich"}},
    "month": "2026-03",
    "kind": "person",
    "role": None,
    "direction": "consumption",
    "status": "ok",
    "participants": 37,
    "communities": 6,
    "minimum_participants": MINIMUM_PARTICIPANTS,
    "minimum_communities": MINIMUM_COMMUNITIES,
    "reason": None,
    "dst_rule": DST_RULE,
    "profile": [{"time": label, "kwh": "0.071"} for label in LABELS],
}


def _slots(period: Period) -> tuple[np.ndarray, np.ndarray]:
    """Per quarter-hour of the period: its wall-clock label index (0–95) and its local day as an ordinal."""
    labels = np.empty(period.quarter_hours, np.int64)
    days = np.empty(period.quarter_hours, np.int64)
    for slot in range(period.quarter_hours):
        local = (period.start + slot * QUARTER_HOUR).astimezone(ZURICH)
        labels[slot] = local.hour * 4 + local.minute // 15
        days[slot] = local.date().toordinal()
    return labels, days


def _memberships(query: dict, period: Period):
    first = period.start.astimezone(ZURICH).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(ZURICH).date()
    memberships = Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first),
        valid_from__lte=last,
        participant__community__municipality=query["municipality"],
        participant__kind=query["kind"],
    )
    if query.get("role"):
        memberships = memberships.filter(participant__role=query["role"])
    return memberships.values_list(
        "metering_point_id", "participant_id", "participant__community_id", "valid_from", "valid_to"
    )


def _answer(query: dict) -> dict:
    return {
        "place": place_of(query),
        "month": query["month"],
        "kind": query["kind"],
        "role": query.get("role"),
        "direction": query["direction"],
        "status": "ok",
        "participants": 0,
        "communities": 0,
        "minimum_participants": MINIMUM_PARTICIPANTS,
        "minimum_communities": MINIMUM_COMMUNITIES,
        "reason": None,
        "dst_rule": DST_RULE,
        "profile": None,
    }


def compute(scope: ClientScope, query: dict) -> dict:
    year, month = (int(part) for part in query["month"].split("-"))
    period = local_month(year, month)
    memberships = list(_memberships(query, period))
    series = series_for_period(metering_point_ids={row[0] for row in memberships}, period=period)
    labels, days = _slots(period)
    sums, counts = np.zeros(96, np.int64), np.zeros(96, np.int64)
    participants, communities = set(), set()
    for point_id, participant_id, community_id, valid_from, valid_to in memberships:
        stored = series.get((point_id, query["direction"], "total"))
        if stored is None:
            continue
        mask = (stored.quality != 0) & (days >= valid_from.toordinal())
        if valid_to is not None:
            mask &= days <= valid_to.toordinal()
        if not mask.any():
            continue
        np.add.at(sums, labels[mask], stored.values[mask])
        np.add.at(counts, labels[mask], 1)
        participants.add(participant_id)
        communities.add(community_id)
    answer = _answer(query)
    answer.update(participants=len(participants), communities=len(communities))
    if not participants:
        answer["status"] = "no_data"
        answer["reason"] = _("Für diese Auswahl sind für %(month)s keine Messwerte gespeichert.") % {
            "month": date_format(date(year, month, 1), "F Y")
        }
    elif len(participants) < MINIMUM_PARTICIPANTS or len(communities) < MINIMUM_COMMUNITIES:
        answer["status"] = "too_few_communities"
        answer["reason"] = _(
            "Ein Profil wird erst ab %(participants)s Teilnehmenden aus %(communities)s Gemeinschaften gebildet; "
            "hier sind es %(have_participants)s aus %(have_communities)s."
        ) % {
            "participants": MINIMUM_PARTICIPANTS,
            "communities": MINIMUM_COMMUNITIES,
            "have_participants": len(participants),
            "have_communities": len(communities),
        }
    else:
        answer["profile"] = [
            {
                "time": LABELS[slot],
                "kwh": (
                    str((Decimal(int(sums[slot])) / int(counts[slot]) / _MWH_PER_KWH).quantize(_WH, ROUND_HALF_UP))
                    if counts[slot]
                    else None
                ),
            }
            for slot in range(96)
        ]
    return answer
