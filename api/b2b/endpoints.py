"""Importing this module registers every B2B endpoint in ``api.b2b.registry.ENDPOINTS``."""

from api.b2b import status  # noqa: F401
