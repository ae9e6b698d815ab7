"""Who calls a tool: a token's scopes and tenant, and the reads every tool scopes through it."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from api.errors import not_found, scope_missing
from api.models import AgentToken
from communities.models import Community, Door


@dataclass(frozen=True)
class Caller:
    token: AgentToken

    door = Door.AGENT
    actor = None  # no person: services record the door "agent" and the token in the call record

    @property
    def is_staff(self) -> bool:
        return self.token.is_staff_token

    @property
    def utility_id(self) -> int | None:
        return self.token.utility_id

    def require(self, scope: str) -> None:
        if scope not in self.token.scopes:
            raise scope_missing(scope)

    def communities(self) -> QuerySet[Community]:
        """The communities this token may see: all for staff, its utility's otherwise."""
        queryset = Community.objects.all()
        return queryset if self.is_staff else queryset.filter(utility_id=self.utility_id)

    def community(self, pk) -> Community:
        """One community by id; another utility's answers exactly as an unknown one (404)."""
        community = self.communities().select_related("utility").filter(pk=pk).first()
        if community is None:
            raise not_found(_("Gemeinschaft"), pk)
        return community
