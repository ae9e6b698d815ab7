"""The portal's API keys (/utility/api-keys/): the utility's keys for the B2B API, a new key (its secret shown once,
on the page that answers the form, never again) and revocation with a confirmation. Only the approver role."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.portal_roles import PortalAction, portal_action_required
from api.b2b.keys import api_key_revoke as revoke_key
from api.b2b.keys import utility_api_client, utility_key_create
from api.b2b.tiers import effective_tier
from api.models import ApiKey, ApiTier


class NewKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Bezeichnung"), max_length=100,
        help_text=gettext_lazy("Wofür der Schlüssel dient, z. B. «Netzplanung» oder «Testsystem»."),
    )


@never_cache
@portal_action_required(PortalAction.MANAGE_API_KEYS)
def api_keys(request):
    utility = request.user.utility
    form = NewKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new = utility_key_create(utility=utility, name=form.cleaned_data["name"], created_by=request.user)
        return render(request, "portal/api_key_created.html", {"new": new, "nav_area": "api-keys"})
    client = utility_api_client(utility)
    context = {
        "form": form,
        "client": client,
        "tier": _tier_label(client) if client else None,
        "keys": list(client.keys.select_related("created_by")) if client else [],
        "nav_area": "api-keys",
    }
    return render(request, "portal/api_keys.html", context)


def _tier_label(client) -> str:
    tier = effective_tier(client)
    if tier is None:
        return _("keine (Ihr Abonnement gewährt zurzeit keinen API-Zugang)")
    return str(dict(ApiTier.choices)[tier])


@portal_action_required(PortalAction.MANAGE_API_KEYS)
def api_key_revoke(request, key_pk: int):
    key = get_object_or_404(ApiKey, pk=key_pk, client__utility=request.user.utility, revoked_at__isnull=True)
    if request.method == "POST":
        revoke_key(prefix=key.prefix, client=key.client)
        messages.success(request, _("Der Schlüssel «%(name)s» ist widerrufen.") % {"name": key.name})
        return redirect("portal:api-keys")
    return render(request, "portal/api_key_revoke.html", {"key": key, "nav_area": "api-keys"})
