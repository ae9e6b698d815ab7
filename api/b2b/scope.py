"""Who asks: the B2B door builds one per call and every figure module receives it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ClientScope:
    # The utility the asking client is linked to: it sees its own communities one by one; None sees counts only.
    utility_id: int | None = None
