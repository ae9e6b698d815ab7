"""Writes SDAT-CH E66 (ValidatedMeteredData 1.6) files: for the demo, tests and benchmarks.

Pure Python, the mirror of the parser: integer Wh in, kWh with three decimals out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from xml.sax.saxutils import escape

PRODUCT_CODES = {
    "total": ("ebIXCode", "8716867000030"),
    "leg": ("VSENationalCode", "2404050010123"),
    "grid": ("VSENationalCode", "2404050010124"),
}
_POINT_ELEMENT = {"consumption": "ConsumptionMeteringPoint", "production": "ProductionMeteringPoint"}


@dataclass(frozen=True)
class SdatSeries:
    metering_point: str
    direction: str  # "consumption" | "production"
    channel: str  # "total" | "leg" | "grid"
    start: datetime  # aware, first slot's start
    values_wh: Sequence[int]
    provisional: bool = False


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kwh(wh: int) -> str:
    return f"{wh // 1000}.{wh % 1000:03d}" if wh >= 0 else f"-{_kwh(-wh)}"


_volume_text = lru_cache(maxsize=1 << 16)(_kwh)  # meter values repeat: a year of 5,000 points has few distinct ones
_position_heads: list[str] = []  # the text before the volume of observation n + 1


def _observations(values_wh: Sequence[int], provisional: bool) -> str:
    """The observations of a series, pasted from cached pieces: generating a utility's year stays fast."""
    count = len(values_wh)
    while len(_position_heads) < count:
        n = len(_position_heads) + 1
        _position_heads.append(
            f"<rsm:Observation><rsm:Position><rsm:Sequence>{n}</rsm:Sequence></rsm:Position><rsm:Volume>"
        )
    condition = "<rsm:Condition>21</rsm:Condition>" if provisional else ""
    parts = [f"</rsm:Volume>{condition}</rsm:Observation>\n"] * (3 * count)
    parts[0::3] = _position_heads[:count]
    parts[1::3] = map(_volume_text, values_wh)
    return "".join(parts)


def _block(series: SdatSeries, document_id: str, index: int, community_id: str | None) -> str:
    end = series.start + timedelta(minutes=15 * len(series.values_wh))
    tag, code = PRODUCT_CODES[series.channel]
    agency = ' schemeAgencyID="9"' if tag == "ebIXCode" else ' schemeAgencyID="260"'
    observations = _observations(series.values_wh, series.provisional)
    community = (
        f"<rsm:Community><rsm:CommunityID>{escape(community_id)}</rsm:CommunityID>"
        '<rsm:CommunityType codeListAgency="260"><rsm:VSENationalCode>CT01</rsm:VSENationalCode>'
        "</rsm:CommunityType></rsm:Community>\n"
        if community_id
        else ""
    )
    point = _POINT_ELEMENT[series.direction]
    return (
        f"<rsm:MeteringData>\n<rsm:DocumentID>{escape(document_id)}@{index}</rsm:DocumentID>\n"
        f"<rsm:Interval><rsm:StartDateTime>{_utc(series.start)}</rsm:StartDateTime>"
        f"<rsm:EndDateTime>{_utc(end)}</rsm:EndDateTime></rsm:Interval>\n"
        "<rsm:Resolution><rsm:Resolution>15</rsm:Resolution><rsm:Unit>MIN</rsm:Unit></rsm:Resolution>\n"
        f'<rsm:{point}><rsm:VSENationalID schemeID="VSE" schemeAgencyID="260">{escape(series.metering_point)}'
        f"</rsm:VSENationalID></rsm:{point}>\n"
        f"<rsm:Product><rsm:ID><rsm:{tag}{agency}>{code}</rsm:{tag}></rsm:ID>"
        "<rsm:MeasureUnit>KWH</rsm:MeasureUnit></rsm:Product>\n"
        f"{community}{observations}</rsm:MeteringData>\n"
    )


def write_e66(
    series: Sequence[SdatSeries],
    *,
    document_id: str,
    created: datetime,
    sender_eic: str = "12X-0000009999-Z",
    receiver_eic: str = "12X-0000000888-B",
    community_id: str | None = None,
) -> bytes:
    """One E66 document with a MeteringData block per series."""
    if not series:
        raise ValueError("an SDAT document needs at least one series")
    start = min(s.start for s in series)
    end = max(s.start + timedelta(minutes=15 * len(s.values_wh)) for s in series)
    reason = (
        '<rsm:BusinessReasonType codeListAgency="260" codeListID="VSE"><rsm:VSENationalCode>C40</rsm:VSENationalCode>'
        "</rsm:BusinessReasonType>"
        if community_id
        else '<rsm:BusinessReasonType listAgencyID="260">E88</rsm:BusinessReasonType>'
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rsm:ValidatedMeteredData_16 xmlns:rsm="http://www.strom.ch" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.strom.ch ValidatedMeteredData_1p6.xsd">\n'
        "<rsm:ValidatedMeteredData_HeaderInformation><rsm:HeaderVersion>1.0</rsm:HeaderVersion>"
        f'<rsm:Sender><rsm:ID><rsm:EICID schemeAgencyID="305">{sender_eic}</rsm:EICID></rsm:ID>'
        "<rsm:Role>MDR</rsm:Role></rsm:Sender>"
        f'<rsm:Receiver><rsm:ID><rsm:EICID schemeAgencyID="305">{receiver_eic}</rsm:EICID></rsm:ID>'
        "<rsm:Role>CEM</rsm:Role></rsm:Receiver>"
        "<rsm:InstanceDocument><rsm:DictionaryAgencyID>260</rsm:DictionaryAgencyID>"
        '<rsm:VersionID listAgencyID="260">2007B</rsm:VersionID>'
        f"<rsm:DocumentID>{escape(document_id)}</rsm:DocumentID>"
        '<rsm:DocumentType listAgencyID="260"><rsm:ebIXCode>E66</rsm:ebIXCode></rsm:DocumentType>'
        f"<rsm:Creation>{_utc(created)}</rsm:Creation><rsm:Status>9</rsm:Status></rsm:InstanceDocument>"
        f"<rsm:BusinessScopeProcess>{reason}"
        '<rsm:BusinessDomainType listAgencyID="260">E02</rsm:BusinessDomainType>'
        "<rsm:BusinessSectorType>23</rsm:BusinessSectorType>"
        f"<rsm:ReportPeriod><rsm:StartDateTime>{_utc(start)}</rsm:StartDateTime>"
        f"<rsm:EndDateTime>{_utc(end)}</rsm:EndDateTime></rsm:ReportPeriod>"
        '<rsm:BusinessService><rsm:ServiceTransaction isIntelligibleCheckRequired="true"/></rsm:BusinessService>'
        "</rsm:BusinessScopeProcess></rsm:ValidatedMeteredData_HeaderInformation>\n"
    )
    blocks = "".join(_block(s, document_id, n, community_id) for n, s in enumerate(series, start=1))
    return (head + blocks + "</rsm:ValidatedMeteredData_16>\n").encode("utf-8")
