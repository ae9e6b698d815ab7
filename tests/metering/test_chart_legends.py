"""The legends of the meter data charts: every series and status readable, nothing clipped or overlapping."""

import xml.etree.ElementTree as ET
from datetime import date

import numpy as np

from metering.charts import coverage_calendar_svg, day_profile_svg

SVG = "{http://www.w3.org/2000/svg}"
# Generous for 11 px sans-serif: a legend box must hold its text at this width per character.
CHAR_WIDTH = 7.0
SERIES_LABELS = {
    ("consumption", "total"): "Bezug Total",
    ("consumption", "leg"): "Bezug LEG-Anteil",
    ("consumption", "grid"): "Bezug Netz-Anteil",
    ("production", "total"): "Einspeisung Total",
    ("production", "leg"): "Einspeisung LEG-Anteil",
    ("production", "grid"): "Einspeisung Netz-Anteil",
}
STATUS_LABELS = {
    "complete": "vollständig",
    "provisional": "provisorisch",
    "incomplete": "unvollständig",
    "missing": "fehlt",
}


def legend_boxes(svg: str, labels: list[str]) -> tuple[dict[str, tuple[float, float, float, float]], float, float]:
    root = ET.fromstring(svg)
    boxes = {}
    for text in root.iter(f"{SVG}text"):
        if text.text in labels:
            x, y = float(text.get("x")), float(text.get("y"))
            boxes[text.text] = (x - 14, y - 10, x + CHAR_WIDTH * len(text.text), y + 3)
    return boxes, float(root.get("width")), float(root.get("height"))


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_profile_legend_shows_all_six_series_inside_the_picture_without_overlap():
    series = {key: np.full(96, 1_000_000 * (n + 1), dtype=np.int64) for n, key in enumerate(SERIES_LABELS)}
    boxes, width, height = legend_boxes(
        day_profile_svg(date(2026, 6, 7), series, SERIES_LABELS), list(SERIES_LABELS.values())
    )

    assert sorted(boxes) == sorted(SERIES_LABELS.values())
    for label, (left, top, right, bottom) in boxes.items():
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, label
    names = list(boxes)
    assert not [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if overlaps(boxes[a], boxes[b])]
    assert (width, height) == (760, 316)  # two legend rows of three


def test_the_coverage_legend_lists_the_four_states_without_overlap():
    svg = coverage_calendar_svg(2026, 6, {date(2026, 6, 1): "complete"}, STATUS_LABELS)
    boxes, width, height = legend_boxes(svg, list(STATUS_LABELS.values()))

    assert sorted(boxes) == sorted(STATUS_LABELS.values())
    for label, (left, top, right, bottom) in boxes.items():
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, label
    names = list(boxes)
    assert not [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if overlaps(boxes[a], boxes[b])]


def test_every_series_is_drawn_at_its_own_height_whatever_its_place_in_the_legend():
    # Constant series of 1 to 6 kWh per quarter-hour: steps of 2 kWh, the scale ends at 8, the plot spans y 14 to 266.
    series = {key: np.full(96, 1_000_000 * (n + 1), dtype=np.int64) for n, key in enumerate(SERIES_LABELS)}
    root = ET.fromstring(day_profile_svg(date(2026, 6, 7), series, SERIES_LABELS))

    heights = [{point.split(",")[1] for point in line.get("points").split()} for line in root.iter(f"{SVG}polyline")]

    # sorted by key: consumption grid (3), leg (2), total (1); production grid (6), leg (5), total (4)
    assert heights == [{"171.5"}, {"203.0"}, {"234.5"}, {"77.0"}, {"108.5"}, {"140.0"}]
    ticks = [text.text for text in root.iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    assert ticks == ["0", "2", "4", "6", "8"]
