from dataclasses import dataclass


@dataclass(frozen=True)
class ClientScope:
    utility_id: int | None = None
