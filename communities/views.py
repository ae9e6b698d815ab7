"""Portal views for utility users: thin, every read goes through a scoped selector."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, portal_action_required
from communities import selectors
from communities.dashboard import utility_dashboard
from communities.dashboard_chart import leg_share_svg
from communities.eligibility import eligibility_check
from communities.portal.lookups import community_for
from openleg.periods import local_today


@portal_action_required(PortalAction.VIEW)
def home(request):
    dashboard = utility_dashboard(user=request.user, today=local_today())
    chart = leg_share_svg(dashboard.months, _("LEG-Anteil und geteilte kWh der letzten zwölf Monate"))
    navigation = [row.community for row in dashboard.rows]
    context = {"dashboard": dashboard, "chart": chart, "nav_communities": navigation}
    return render(request, "portal/home.html", context)


@portal_action_required(PortalAction.VIEW)
def community_detail(request, pk: int):
    community = community_for(request, pk)
    participants = selectors.participants_of(user=request.user, community=community)
    context = {
        "community": community,
        "nav_community": community,
        "participants": participants,
        "tariffs": community.tariffs.prefetch_related("windows", "fees"),
        "eligibility": eligibility_check(community=community),
        "documents": selectors.latest_documents(community=community),
    }
    return render(request, "portal/community.html", context)
