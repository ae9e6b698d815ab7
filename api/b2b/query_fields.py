"""Query parameter fields that take exactly what the OpenAPI schema says: DRF's own number fields also take
"2025.0", " 2025", "2_025" and non-ASCII digits, which the schema (and so the contract test) calls invalid.
The B2B endpoints' query serializers use these for numbers."""

import re

from rest_framework import serializers

ASCII_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
ASCII_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class QueryIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_INTEGER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryDecimalField(serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_DECIMAL.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)
