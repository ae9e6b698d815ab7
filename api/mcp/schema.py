"""A tool's arguments as JSON Schema, read from its DRF serializer: what MCP lists as the tool's ``inputSchema``.

Only the field kinds tool arguments use are mapped; any other field is listed without a type (``{}``), which lets
every value through to the serializer: the serializer stays the one that decides.
"""

from rest_framework import fields, serializers
from rest_framework.fields import empty


def serializer_schema(serializer_class: type[serializers.Serializer]) -> dict:
    return _object(serializer_class())


def _object(serializer: serializers.Serializer) -> dict:
    properties, required = {}, []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        properties[name] = field_schema(field)
        if field.required:
            required.append(name)
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def field_schema(field: fields.Field) -> dict:
    schema = _typed(field)
    if field.allow_null and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    default = getattr(field, "default", empty)
    if default is not empty and not callable(default):
        schema["default"] = default
    if field.help_text:
        schema["description"] = str(field.help_text)
    return schema


def _typed(field: fields.Field) -> dict:
    if isinstance(field, serializers.ListSerializer):
        return {"type": "array", "items": _object(field.child)}
    if isinstance(field, serializers.Serializer):
        return _object(field)
    if isinstance(field, fields.MultipleChoiceField):
        return {"type": "array", "items": _choice(field), "uniqueItems": True}
    if isinstance(field, fields.ChoiceField):
        return _choice(field)
    if isinstance(field, fields.ListField):
        return _limits({"type": "array", "items": field_schema(field.child)}, field, "minItems", "maxItems")
    if isinstance(field, fields.DictField | fields.JSONField):
        return {"type": "object"}
    if isinstance(field, fields.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, fields.IntegerField):
        return _limits({"type": "integer"}, field, "minimum", "maximum", low="min_value", high="max_value")
    if isinstance(field, fields.FloatField):
        return _limits({"type": "number"}, field, "minimum", "maximum", low="min_value", high="max_value")
    if isinstance(field, fields.DecimalField):
        return {"type": "string", "format": "decimal", "pattern": _decimal_pattern(field)}
    if isinstance(field, fields.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, fields.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, fields.UUIDField):
        return {"type": "string", "format": "uuid"}
    if isinstance(field, fields.EmailField):
        return {"type": "string", "format": "email"}
    if isinstance(field, fields.RegexField):
        pattern = field.validators[-1].regex.pattern if field.validators else None
        return {"type": "string", "pattern": pattern} if pattern else {"type": "string"}
    if isinstance(field, fields.CharField):
        return _limits({"type": "string"}, field, "minLength", "maxLength")
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return {"type": "integer"}
    return {}


def _choice(field: fields.ChoiceField) -> dict:
    values = list(field.choices)
    kinds = {type(value) for value in values}
    if kinds == {int}:
        return {"type": "integer", "enum": values}
    if kinds == {str}:
        return {"type": "string", "enum": values}
    return {"enum": values}


def _limits(schema: dict, field, low_key: str, high_key: str, *, low: str = "min_length", high: str = "max_length"):
    for attribute, key in ((low, low_key), (high, high_key)):
        value = getattr(field, attribute, None)
        if value is not None:
            schema[key] = value
    return schema


def _decimal_pattern(field: fields.DecimalField) -> str:
    places = field.decimal_places or 0
    whole = f"\\d{{0,{field.max_digits - places}}}" if field.max_digits is not None else "\\d*"
    fraction = f"(\\.\\d{{0,{places}}})?" if places else ""
    return f"^-?{whole}{fraction}$"
