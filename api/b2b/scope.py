"""Who asks: the B2B door builds one per call and every figure module receives it."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClientScope:
    # The utility the asking client is linked to: it sees its own communities one by one; None sees counts only.
    utility_id: int | None = None
    client: Any = field(default=None, compare=False)  # api.models.ApiClient (``status`` reads it)
    key: Any = field(default=None, compare=False)  # api.models.ApiKey
    tier: str | None = ""  # the effective tier; None when a withdrawn subscription grants none
