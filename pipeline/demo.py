"""Demo market data: about 30 fictitious utilities (VNB) with the municipalities they serve, for the pipeline."""

from pathlib import Path

from pipeline.market_import import ImportSummary, market_data_import
from pipeline.stages import Door

DEMO_MARKET_FILE = Path(__file__).with_name("demo_market.csv")
DEMO_MARKET_SOURCE = "Demodaten OpenLEG"


def load_demo_market() -> ImportSummary:
    """Through the real import, marked as demo data; safe to run twice."""
    return market_data_import(
        file=DEMO_MARKET_FILE.read_bytes(), source=DEMO_MARKET_SOURCE, actor=None, door=Door.COMMAND, demo=True
    )
