import pytest

from api.errors import ApiError


def validated(query_class, params: dict) -> dict:
    serializer = query_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def refused(query_class, params: dict) -> dict:
    """The DRF errors of a query that must not validate."""
    serializer = query_class(data=params)
    assert not serializer.is_valid()
    return {name: [str(message) for message in messages] for name, messages in serializer.errors.items()}


def not_found(query_class, params: dict) -> ApiError:
    with pytest.raises(ApiError) as raised:
        query_class(data=params).is_valid()
    assert raised.value.status == 404
    return raised.value
