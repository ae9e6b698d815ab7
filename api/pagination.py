"""The API's default pagination: ``?limit=&offset=``, at most ``MAX_LIMIT`` rows per page.

The agent tools do not use it: a tool answers the same through REST and MCP, so a tool that lists takes its own
``limit`` argument (see the tools' descriptions). List views of the B2B API page with this class.
"""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = 500
