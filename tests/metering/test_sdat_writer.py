from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from metering import parsers
from metering.sdat_writer import SdatSeries, write_e66

MP = "CH10099912345000000000000000A4711"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=5_000_000), min_size=1, max_size=200),
    st.integers(min_value=0, max_value=2000),
    st.sampled_from(["total", "leg", "grid"]),
    st.booleans(),
)
def test_written_files_parse_back_to_the_same_wh(values, quarter_offset, channel, provisional):
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * quarter_offset)
    data = write_e66(
        [SdatSeries(MP, "consumption", channel, start, values, provisional)],
        document_id="T-1",
        created=datetime(2026, 2, 1, tzinfo=UTC),
        community_id="100999-000042",
    )
    parsed = parsers.parse(data)
    assert parsed.problems == ()
    (series,) = parsed.series
    assert (series.metering_point, series.channel, series.start) == (MP, channel, start)
    assert (series.values_mwh // 1000).tolist() == values
    assert set(series.quality.tolist()) == {2 if provisional else 1}


def test_observations_are_written_exactly_also_when_pieces_are_reused():
    """Positions and volumes come from caches: a shorter, provisional series after a longer one reuses them."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    data = write_e66(
        [
            SdatSeries(MP, "consumption", "total", start, [1234, 0, 1234]),
            SdatSeries(MP, "production", "leg", start, [-5, 1234], provisional=True),
        ],
        document_id="T-2",
        created=datetime(2026, 4, 1, tzinfo=UTC),
    ).decode()
    position = (
        "<rsm:Observation><rsm:Position><rsm:Sequence>{}</rsm:Sequence></rsm:Position><rsm:Volume>{}</rsm:Volume>"
    )
    measured, provisional = "</rsm:Observation>\n", "<rsm:Condition>21</rsm:Condition></rsm:Observation>\n"
    assert data.count("<rsm:Observation>") == 5
    assert (
        position.format(1, "1.234") + measured + position.format(2, "0.000") + measured + position.format(3, "1.234")
        + measured + "</rsm:MeteringData>"
    ) in data
    assert (
        position.format(1, "-0.005") + provisional + position.format(2, "1.234") + provisional + "</rsm:MeteringData>"
    ) in data
