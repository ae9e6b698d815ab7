"""Each tool's example call and answer, taken from the demo data (``load_demo``), for the schema and for MCP.

One JSON file per tool, ``<tool>.json`` with ``arguments`` and ``answer``: long German texts read better there than
in Python, and the examples stay beside, not inside, the code they document.
"""

import json
from pathlib import Path

_HERE = Path(__file__).parent


def example_of(tool: str) -> dict:
    """``example_arguments`` and ``example_answer`` for ``Tool(...)``."""
    example = json.loads((_HERE / f"{tool}.json").read_text(encoding="utf-8"))
    return {"example_arguments": example["arguments"], "example_answer": example["answer"]}
