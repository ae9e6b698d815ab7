"""The B2B API under /api/v1/: clients, keys, tiers, cantons, limits, metering and one generic view per endpoint."""
