"""Calling a tool: the one path both doors take. Scope, arguments, the work in one transaction, and the record."""

from time import perf_counter

from django.db import transaction
from django.utils.translation import gettext as _

from api.agent.caller import Caller
from api.agent.registry import TOOLS, ToolAnswer
from api.errors import ApiError, invalid
from api.models import AgentCall, AgentToken
from openleg.errors import DomainError, NotFound


def call_tool(token: AgentToken, name: str, arguments: dict, *, transport: str) -> ToolAnswer:
    """Run tool ``name`` for ``token`` with ``arguments`` (plain JSON values) and record the call.

    Raises ``ApiError`` for every refusal (unknown tool, missing scope, bad arguments, a domain rule); the record is
    written either way, outside the tool's transaction so that a refused call is on record too.
    """
    started = perf_counter()
    try:
        answer = _call(Caller(token), name, arguments)
    except ApiError as error:
        _record(token, name, arguments, transport, started, status=error.status, error_code=error.code)
        raise
    _record(token, name, arguments, transport, started, status=answer.status, touched=answer.touched)
    return answer


def _call(caller: Caller, name: str, arguments: dict) -> ToolAnswer:
    tool = TOOLS.get(name)
    if tool is None:
        raise ApiError("unknown_tool", _("Das Werkzeug «%(name)s» gibt es nicht.") % {"name": name}, status=404)
    if tool.scope:  # a tool without a scope checks the caller itself (a job's status: the token that started it)
        caller.require(tool.scope)
    serializer = tool.arguments(data=arguments)
    if not serializer.is_valid():
        raise invalid({field: [str(message) for message in messages] for field, messages in serializer.errors.items()})
    try:
        with transaction.atomic():
            return tool.run(caller, serializer.validated_data)
    except DomainError as error:
        raise domain_refusal(error) from error


def domain_refusal(error: DomainError) -> ApiError:
    """A rule of the business said no: 404 for what is not there, 400 for a bad field, 409 for the rest."""
    if isinstance(error, NotFound):
        return ApiError("not_found", error.message, status=404)
    if error.field:
        return invalid({error.field: [error.message]})
    return ApiError(error.code, error.message, status=409)


def _record(token, name, arguments, transport, started, *, status, error_code="", touched=()):
    AgentCall.objects.create(
        token=token,
        tool=name[:64],
        transport=transport,
        arguments=arguments,
        status=status,
        error_code=error_code,
        duration_ms=round((perf_counter() - started) * 1000),
        touched=list(touched),
    )
