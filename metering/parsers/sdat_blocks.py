"""MeteringData blocks of an SDAT document turned into readings, remembering where each reading came from."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from lxml import etree

from metering.parsers import sdat_scan
from metering.parsers.base import SLOT, Channel, Direction, Issues, Quality, Series, check_metering_point
from metering.parsers.cells import Cells
from metering.parsers.decimals import MICRO, REASONS, Decimals, NumberStatus
from metering.parsers.localtime import EPOCH, FIRST_YEAR, LAST_YEAR, utc_iso, utc_minutes
from metering.parsers.sdat_xml import STROM_NS, find_code, find_text, ns_path
from metering.parsers.series_builder import Readings, SeriesKey, build_series

PRODUCTS: dict[str, Channel] = {"8716867000030": "total", "2404050010123": "leg", "2404050010124": "grid"}
FLOWS: dict[str, Direction] = {"E17": "consumption", "E18": "production"}
POINTS: dict[str, Direction] = {
    "ConsumptionMeteringPoint": "consumption",
    "ProductionMeteringPoint": "production",
}
CONDITIONS = {21: Quality.PROVISIONAL, 56: Quality.ESTIMATED}


@dataclass
class _Block:
    number: int
    key: SeriesKey
    start: int  # UTC minutes
    slots: int
    label: str


class BlockReader:
    """Turns MeteringData blocks into readings, remembering where each reading came from."""

    def __init__(self, format: str, issues: Issues, meta: dict[str, str]) -> None:
        self.format, self.issues, self.meta = format, issues, meta
        self.keys: dict[SeriesKey, int] = {}
        self.parts: list[Readings] = []
        self.ranges: dict[int, tuple[int, int]] = {}
        self.labels: list[str] = []
        self.observation_of: list[np.ndarray] = []  # per block: the observations whose readings are kept
        self.communities: dict[str, None] = {}
        self.areas: dict[str, None] = {}
        self.flows: dict[str, None] = {}

    def read(self, number: int, element: etree._Element, observations: sdat_scan.Observations) -> None:
        block = self._block(number, element)
        if block is None:
            return
        if not len(observations):
            self.issues.warning("no_observations", block.label, "The block has no observations.")
            return
        complete = ~observations.incomplete
        slot, usable = self._slots(block, observations.sequence, observations.sequence_numbers, complete)
        value, numbers_ok = self._volumes(block, observations.volume, observations.volume_numbers, complete)
        quality = self._quality(block, observations)
        keep = usable & numbers_ok & complete
        group = self.keys.setdefault(block.key, len(self.keys))
        first_slot = block.start // 15
        known = self.ranges.get(group, (first_slot, first_slot + block.slots))
        self.ranges[group] = (min(known[0], first_slot), max(known[1], first_slot + block.slots))
        kept = np.flatnonzero(keep)
        if len(kept) < len(keep):
            slot, value, quality = slot[kept], value[kept], quality[kept]
        self.parts.append(Readings(np.full(len(kept), group, np.int64), slot, value, quality))
        self.labels.append(block.label)
        self.observation_of.append(kept)

    def series(self) -> list[Series]:
        if not self.parts:
            return []
        if self.communities:
            self.meta["community_id"] = ",".join(self.communities)
        if self.areas:
            self.meta["grid_area"] = ",".join(self.areas)
        if self.flows:
            self.meta["flow"] = ",".join(self.flows)
        return build_series(
            list(self.keys),
            Readings.concat(self.parts),
            self._locator(),
            self.issues,
            ranges=self.ranges,
        )

    def _locator(self) -> Callable[[int], str]:
        """Where reading ``entry`` (of all blocks' readings in order) came from; looked up only for a message."""
        ends = np.cumsum([len(kept) for kept in self.observation_of])

        def locate(entry: int) -> str:
            block = int(np.searchsorted(ends, entry, side="right"))
            first = int(ends[block - 1]) if block else 0
            return f"{self.labels[block]}, Observation {int(self.observation_of[block][entry - first]) + 1}"

        return locate

    def _block(self, number: int, element: etree._Element) -> _Block | None:
        issues = self.issues
        point, direction = self._point(number, element)
        product = find_code(element, "Product/ID")
        label = f"MeteringData #{number} ({point or 'no metering point'}, {product or 'no product'})"
        if direction is None:
            return None
        if point is not None:
            check_metering_point(point, label, issues)
        channel = PRODUCTS.get(product or "")
        if channel is None:
            issues.warning(
                "unsupported_product",
                label,
                f"The product {product} is not active energy (total, LEG or grid share); skipped.",
                value=product or "",
            )
            return None
        resolution = f"{find_text(element, 'Resolution/Resolution')} {find_text(element, 'Resolution/Unit')}"
        if resolution != "15 MIN":
            issues.problem(
                "unsupported_resolution",
                label,
                f"The resolution {resolution} is not supported; only 15 MIN.",
                value=resolution,
            )
            return None
        unit = find_text(element, "Product/MeasureUnit")
        if unit != "KWH":
            issues.problem("unsupported_unit", label, f"The unit {unit} is not supported; only KWH.", value=unit or "")
            return None
        interval = self._interval(element, label)
        if interval is None:
            return None
        community = find_text(element, "Community/CommunityID")
        if community:
            self.communities[community] = None
        start, end = interval
        return _Block(number, SeriesKey(point, direction, channel), start, (end - start) // 15, label)

    def _point(self, number: int, element: etree._Element) -> tuple[str | None, Direction | None]:
        for name, direction in POINTS.items():
            point = find_text(element, f"{name}/VSENationalID")
            if point is not None:
                return point, direction
        if find_text(element, "ExchangeMeteringPoint/VSENationalID") is not None:
            self.issues.warning(
                "exchange_point_skipped",
                f"MeteringData #{number}",
                "Grid exchange points are not LEG data; the block is skipped.",
            )
            return None, None
        if self.format == "sdat-e31":
            return self._aggregate(number, element)
        self.issues.problem(
            "missing_element",
            f"MeteringData #{number}",
            "The block names no consumption or production metering point.",
            element="ConsumptionMeteringPoint",
        )
        return None, None

    def _aggregate(self, number: int, element: etree._Element) -> tuple[None, Direction | None]:
        """E31 aggregates carry a grid area and a flow (E17 consumption, E18 production), not a point."""
        area = find_text(element, "MeteringGridArea/EICID")
        if area:
            self.areas[area] = None
        flow = find_text(element, "AggregationCriteria/FlowCharacteristic")
        if flow in FLOWS:
            self.flows[flow] = None
            return None, FLOWS[flow]
        self.issues.problem(
            "missing_element",
            f"MeteringData #{number}",
            f"The aggregate has flow {flow!r}; expected E17 (consumption) or E18 (production).",
            element="AggregationCriteria/FlowCharacteristic",
            value=flow or "",
        )
        return None, None

    def _interval(self, element: etree._Element, label: str) -> tuple[int, int] | None:
        bounds = []
        for step in ("Interval/StartDateTime", "Interval/EndDateTime"):
            text = find_text(element, step) or ""
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                moment = None
            expected = "expected an instant on a quarter-hour with its offset, such as 2026-06-14T22:00:00Z"
            if moment is None or moment.utcoffset() is None:
                detail = expected
            elif not FIRST_YEAR <= moment.year <= LAST_YEAR:  # as the CSV formats; year 9999 would overflow later
                detail = f"the year {moment.year} is out of range"
            elif (moment - EPOCH) % SLOT:  # on a quarter-hour in UTC, whatever the offset (+00:07 is not)
                detail = expected
            else:
                bounds.append(utc_minutes(moment))
                continue
            self.issues.problem(
                "bad_timestamp",
                f"{label}, {step}",
                f"'{text}' is not usable: {detail}.",
                value=text,
                detail=detail,
            )
            return None
        if bounds[1] <= bounds[0]:
            self.issues.problem(
                "bad_timestamp",
                f"{label}, Interval/EndDateTime",
                "The interval ends before it starts.",
                value=utc_iso(bounds[1]),
                detail="before the start",
            )
            return None
        return bounds[0], bounds[1]

    def _slots(
        self, block: _Block, sequence: Cells, numbers: Decimals, complete: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        whole = numbers.ok & (numbers.micro % MICRO == 0)
        position = numbers.micro // MICRO
        usable = whole & (position >= 1) & (position <= block.slots)
        self.issues.problem_each(
            "bad_sequence",
            np.flatnonzero(~usable & complete),
            lambda i: (
                f"{block.label}, Observation {i + 1}",
                f"The sequence number '{sequence.text(i)}' is not a position 1 to {block.slots} in the interval.",
                {"value": sequence.text(i), "expected": str(block.slots)},
            ),
        )
        return block.start // 15 + position - 1, usable

    def _volumes(
        self, block: _Block, volume: Cells, numbers: Decimals, complete: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        negative = numbers.ok & (numbers.micro < 0)
        self.issues.problem_each(
            "bad_number",
            np.flatnonzero(~numbers.ok & complete),
            lambda i: (
                f"{block.label}, Observation {i + 1}",
                f"The volume '{volume.text(i)}' {REASONS.get(NumberStatus(numbers.status[i]), 'is empty')}.",
                {"value": volume.text(i)},
            ),
        )
        self.issues.problem_each(
            "negative_value",
            np.flatnonzero(negative),
            lambda i: (
                f"{block.label}, Observation {i + 1}",
                f"The volume {volume.text(i)} kWh is negative; energy values must not be negative.",
                {"value": volume.text(i)},
            ),
        )
        return numbers.micro, numbers.ok & ~negative

    def _quality(self, block: _Block, observations: sdat_scan.Observations) -> np.ndarray:
        quality = np.full(len(observations), Quality.MEASURED, np.uint8)
        if not len(observations.condition):
            return quality
        texts = observations.condition_texts
        known = [text.isdigit() and int(text) in CONDITIONS for text in texts]
        marks = np.array(
            [CONDITIONS[int(text)] if ok else Quality.ESTIMATED for text, ok in zip(texts, known, strict=True)],
            np.uint8,
        )
        quality[observations.condition_of] = marks[observations.condition_code]
        for code in np.unique(observations.condition_code):
            if not known[code]:
                first = int(observations.condition_of[np.argmax(observations.condition_code == code)])
                self.issues.warning(
                    "unknown_condition",
                    f"{block.label}, Observation {first + 1}",
                    f"The condition code '{texts[code]}' is unknown; those values are kept as estimated.",
                    value=texts[code],
                )
        return quality


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, namespaces={"s": STROM_NS}, smart_strings=False)


_SEQUENCES = _xpath("s:Observation/s:Position/s:Sequence/text()")
_VOLUMES = _xpath("s:Observation/s:Volume/text()")
_CONDITIONS = _xpath("s:Observation/s:Condition/text()")
_WITH_CONDITION = _xpath("s:Observation[s:Condition]")
_IRREGULAR = _xpath(
    "count(s:Observation[count(s:Position/s:Sequence) != 1 or count(s:Volume) != 1 or count(s:Condition) > 1"
    " or s:Position/s:Sequence[not(text())] or s:Volume[not(text())]])"
)


def observations_from_tree(block: etree._Element, number: int, issues: Issues) -> sdat_scan.Observations:
    """The tree path for documents the byte scan declines: the texts of all observations at once."""
    observations = block.findall(ns_path("Observation"))
    sequences, volumes, conditions = _SEQUENCES(block), _VOLUMES(block), _CONDITIONS(block)
    holders = _WITH_CONDITION(block)
    if _IRREGULAR(block) or {len(sequences), len(volumes)} != {len(observations)} or len(conditions) != len(holders):
        return _observations_one_by_one(observations, number, issues)
    position = {element: index for index, element in enumerate(observations)}
    return sdat_scan.Observations.parse(
        Cells.from_texts(sequences),
        Cells.from_texts(volumes),
        Cells.from_texts(conditions),
        np.array([position[element] for element in holders], np.int64),
    )


def _observations_one_by_one(observations: list[etree._Element], number: int, issues: Issues) -> sdat_scan.Observations:
    """Observations lacking a part (or split by comments) are read singly, to say which one is wrong."""
    sequences, volumes, conditions, condition_of, incomplete = [], [], [], [], []
    for index, observation in enumerate(observations):
        sequence, volume = (
            _element_text(observation, "Position/Sequence"),
            _element_text(observation, "Volume"),
        )
        missing = "Position/Sequence" if sequence is None else "Volume" if volume is None else None
        if missing:
            issues.problem(
                "missing_element",
                f"MeteringData #{number}, Observation {index + 1}",
                f"The observation has no {missing}.",
                element=missing,
            )
        sequences.append(sequence or "")
        volumes.append(volume or "")
        incomplete.append(missing is not None)
        condition = _element_text(observation, "Condition")
        if condition is not None:
            conditions.append(condition)
            condition_of.append(index)
    return sdat_scan.Observations.parse(
        Cells.from_texts(sequences),
        Cells.from_texts(volumes),
        Cells.from_texts(conditions),
        np.array(condition_of, np.int64),
        np.array(incomplete, bool),
    )


def _element_text(element: etree._Element, steps: str) -> str | None:
    """All text of the element (comments inside it left out), or None when it is absent."""
    found = element.find(ns_path(steps))
    return None if found is None else "".join(found.itertext())
