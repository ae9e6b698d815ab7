"""The utility portal's formation pages: creating a community, its participants, metering points and memberships,
the formation workflow and its documents. Thin doors: each view parses, calls a service or selector, renders."""
