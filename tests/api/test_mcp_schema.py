"""The JSON schema MCP lists for a tool's arguments comes from the tool's DRF serializer."""

from rest_framework import serializers

from api.mcp.schema import serializer_schema


class Arguments(serializers.Serializer):
    community = serializers.IntegerField(min_value=1, help_text="Community id.")
    kind = serializers.ChoiceField(choices=["agreement", "contract"], required=False, default="agreement")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    period_start = serializers.DateField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    minimum = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    overdue = serializers.BooleanField(required=False)
    stages = serializers.ListField(child=serializers.ChoiceField(choices=[1, 2]), required=False)
    when = serializers.DateTimeField(required=False)


def test_each_field_becomes_a_property_with_its_constraints():
    assert serializer_schema(Arguments) == {
        "type": "object",
        "properties": {
            "community": {"type": "integer", "minimum": 1, "description": "Community id."},
            "kind": {"type": "string", "enum": ["agreement", "contract"], "default": "agreement"},
            "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
            "period_start": {"type": "string", "format": "date"},
            "note": {"type": "string", "maxLength": 500},
            "minimum": {"type": ["string", "null"], "format": "decimal", "pattern": r"^-?\d{0,4}(\.\d{0,2})?$"},
            "overdue": {"type": "boolean"},
            "stages": {"type": "array", "items": {"type": "integer", "enum": [1, 2]}},
            "when": {"type": "string", "format": "date-time"},
        },
        "required": ["community"],
        "additionalProperties": False,
    }


def test_a_serializer_without_fields_takes_an_empty_object():
    class Nothing(serializers.Serializer):
        pass

    assert serializer_schema(Nothing) == {"type": "object", "properties": {}, "additionalProperties": False}


def test_a_nested_serializer_is_an_object_and_a_read_only_field_is_left_out():
    class Address(serializers.Serializer):
        town = serializers.CharField(min_length=2)

    class Outer(serializers.Serializer):
        id = serializers.IntegerField(read_only=True)
        address = Address()
        addresses = Address(many=True, required=False)

    schema = serializer_schema(Outer)

    address = {
        "type": "object", "properties": {"town": {"type": "string", "minLength": 2}}, "required": ["town"],
        "additionalProperties": False,
    }
    assert schema == {
        "type": "object",
        "properties": {"address": address, "addresses": {"type": "array", "items": address}},
        "required": ["address"],
        "additionalProperties": False,
    }
