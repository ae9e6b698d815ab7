"""Importing this module registers every B2B endpoint in ``api.b2b.registry.ENDPOINTS``."""

from api.b2b import (
    figure_endpoints,  # noqa: F401
    status,  # noqa: F401
)
