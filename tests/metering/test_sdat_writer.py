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
