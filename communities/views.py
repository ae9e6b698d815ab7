"""Portal views for utility users: thin, every read goes through a scoped selector."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from communities import selectors
from communities.eligibility import eligibility_check
from openleg.errors import NotFound


@login_required
def home(request):
    communities = selectors.communities_visible_to(request.user)
    return render(request, "portal/home.html", {"communities": communities})


@login_required
def community_detail(request, pk: int):
    try:
        community = selectors.community_get(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    participants = selectors.participants_of(user=request.user, community=community)
    context = {
        "community": community,
        "participants": participants,
        "tariffs": community.tariffs.prefetch_related("windows", "fees"),
        "eligibility": eligibility_check(community=community),
        "documents": selectors.latest_documents(community=community),
    }
    return render(request, "portal/community.html", context)
