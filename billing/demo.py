"""Demo: the VNB's own LEG split for the demo months, delivered as SDAT E66 LEG files.

The VNB computes the split proportionally, as OpenLEG does; one deliberate difference on one day
(a few Wh moved between two consumers, as a VNB's own rounding might do) gives the reconciliation
console something to show.
"""

from datetime import UTC, datetime

import numpy as np

from billing.allocation import allocate
from billing.gathering import gather
from communities.models import Community, Door, Membership
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import ImportOutcome, meter_file_import

DEVIATION_WH = 40


def vnb_split_file(community: Community, year: int, month: int) -> tuple[str, bytes]:
    gathered = gather(community, year, month)
    month_input = gathered.month
    consumers, producers = np.flatnonzero(month_input.consumes), np.flatnonzero(month_input.produces)
    split = allocate(month_input.consumption[consumers], month_input.production[producers])
    allocated = split.allocated.copy()
    if len(consumers) > 1:
        # a slot where consumer 0 can give and consumer 1 can take: the VNB's figures then differ on that day
        room = month_input.consumption[consumers[1]] - allocated[1]
        candidates = np.flatnonzero((allocated[0] >= DEVIATION_WH) & (room >= DEVIATION_WH))
        if len(candidates):
            allocated[0, candidates[0]] -= DEVIATION_WH
            allocated[1, candidates[0]] += DEVIATION_WH
    point_of = {
        m.participant_id: m.metering_point.mp_id
        for m in Membership.objects.filter(participant__community=community).select_related("metering_point")
    }
    start = gathered.period.start
    series = []
    for energy, shares, rows, direction in (
        (month_input.consumption, allocated, consumers, "consumption"),
        (month_input.production, split.delivered, producers, "production"),
    ):
        for index, row in enumerate(rows):
            mp_id = point_of[month_input.participant_ids[row]]
            total, leg = energy[row], shares[index]
            for channel, values in (("total", total), ("leg", leg), ("grid", total - leg)):
                series.append(SdatSeries(mp_id, direction, channel, start, values.tolist(), channel != "total"))
    document_id = f"DEMO-LEG-{community.slug or community.pk}-{year}{month:02d}"
    created = datetime(year, month, 28, 4, tzinfo=UTC)
    data = write_e66(series, document_id=document_id, created=created, community_id=community.vnb_reference or None)
    return f"{document_id}_E66.xml", data


def load_demo_vnb_split(community: Community, year: int, month: int) -> ImportOutcome:
    filename, data = vnb_split_file(community, year, month)
    return meter_file_import(data=data, filename=filename, actor=None, door=Door.COMMAND)
