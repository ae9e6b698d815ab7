"""The places a figure is asked for: a canton (code), a municipality (BFS number), or all of Switzerland.

Query serializers mix in ``PlaceQuery``: it validates the codes, resolves the municipality and puts the canton the
request concerns under ``validated_data["canton"]`` (None for all of Switzerland), which the door checks against the
client's allowed cantons. An unknown canton or municipality is a 404 with code ``not_found``.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers

from api.b2b.query_fields import QueryCantonField, QueryIntegerField, canton_code
from api.errors import not_found
from pipeline.models import Municipality


def municipality_of(bfs_number: int | None) -> Municipality | None:
    if bfs_number is None:
        return None
    municipality = Municipality.objects.filter(bfs_number=bfs_number).first()
    if municipality is None:
        raise not_found(_("Gemeinde"), bfs_number)
    return municipality


class CantonQuery(serializers.Serializer):
    canton = QueryCantonField(required=False)

    def validate(self, attrs: dict) -> dict:
        return {**attrs, "canton": canton_code(attrs.get("canton"))}


class PlaceQuery(CantonQuery):
    municipality = QueryIntegerField(
        required=False, min_value=1, max_value=9999, help_text="BFS-Nummer der Gemeinde."
    )

    def validate(self, attrs: dict) -> dict:
        canton = canton_code(attrs.get("canton"))
        municipality = municipality_of(attrs.get("municipality"))
        if municipality is not None and canton is not None and municipality.canton != canton:
            raise serializers.ValidationError(
                {
                    "municipality": _("Die Gemeinde %(name)s liegt nicht im Kanton %(canton)s.")
                    % {"name": municipality.name, "canton": canton}
                }
            )
        return {
            **attrs,
            "canton": municipality.canton if municipality is not None else canton,
            "municipality": municipality,
        }


def place_of(query: dict) -> dict:
    """The place an answer is about, as the answer names it."""
    municipality = query.get("municipality")
    if municipality is not None:
        return {
            "level": "municipality",
            "canton": municipality.canton,
            "municipality": {"bfs_number": municipality.bfs_number, "name": municipality.name},
        }
    canton = query.get("canton")
    return {"level": "canton" if canton else "switzerland", "canton": canton, "municipality": None}


class MunicipalityRef(serializers.Serializer):
    bfs_number = serializers.IntegerField()
    name = serializers.CharField()


class PlaceAnswer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["switzerland", "canton", "municipality"])
    canton = serializers.CharField(allow_null=True)
    municipality = MunicipalityRef(allow_null=True)
