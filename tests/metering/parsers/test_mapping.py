import pytest

from metering.parsers import aew, bkw, ckw, ekz, ewz, iwb
from metering.parsers.mapping import GenericMapping


@pytest.mark.parametrize("mapping", [m.MAPPING for m in (aew, bkw, ckw, ekz, ewz, iwb)] + [GenericMapping()])
def test_a_mapping_round_trips_through_a_plain_dict(mapping):
    saved = mapping.to_dict()
    assert all(isinstance(value, (str, int, bool, list, type(None))) for value in saved.values())
    assert GenericMapping.from_dict(saved) == mapping


def test_to_dict_lists_the_columns():
    assert ckw.MAPPING.to_dict()["production_columns"] == ["Rücklieferung [kWh]"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"colour": "red"}, "unknown mapping keys: colour"),
        ({"layout": "diagonal"}, "layout must be one of long, wide"),
        ({"labels": "middle"}, "labels must be one of start, end"),
        ({"unit": "MWh"}, "unit must be one of kWh, kW"),
        ({"header_row": -1}, "header_row must be a whole number"),
        ({"header_row": True}, "header_row must be a whole number"),
        ({"decimal_comma": "yes"}, "decimal_comma must be true, false or null"),
        ({"consumption_columns": "Bezug"}, "consumption_columns must be a list of texts"),
        ({"timestamp_column": 3}, "timestamp_column must be a text"),
        ({"delimiter": "|"}, "delimiter must be"),
    ],
)
def test_from_dict_refuses_what_is_not_a_mapping(data, message):
    with pytest.raises(ValueError, match=message):
        GenericMapping.from_dict(data)
