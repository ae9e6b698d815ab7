"""Who may do what in the utility portal: the one place that maps a utility user's role to portal actions.

Portal views ask ``may(user, action)`` or wrap themselves in ``portal_action_required(action)`` /
``PortalActionRequiredMixin``; a refusal is a 403 (the German 403 page). Staff work in the admin and are not
portal users: they may nothing here. Tenant scoping (which utility's objects) stays in ``accounts.scoping``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import PortalRole


class PortalAction(models.TextChoices):
    VIEW = "view", _("Ansehen und herunterladen")
    EDIT_FORMATION = "edit_formation", _("Gründung, Teilnehmende und Messpunkte bearbeiten")
    UPLOAD_METER_DATA = "upload_meter_data", _("Messdaten hochladen")
    COMPUTE_BILLING = "compute_billing", _("Abrechnungsentwurf berechnen")
    APPROVE_BILLING = "approve_billing", _("Abrechnung freigeben")
    CANCEL_BILLING = "cancel_billing", _("Abrechnung stornieren")
    MANAGE_SUBSCRIPTION = "manage_subscription", _("Abonnement bei OpenLEG abschliessen und verwalten")
    MANAGE_API_KEYS = "manage_api_keys", _("API-Schlüssel erstellen und widerrufen")


_DESK_ACTIONS = frozenset(
    {
        PortalAction.VIEW,
        PortalAction.EDIT_FORMATION,
        PortalAction.UPLOAD_METER_DATA,
        PortalAction.COMPUTE_BILLING,
    }
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    PortalRole.VIEWER: frozenset({PortalAction.VIEW}),
    PortalRole.DESK: _DESK_ACTIONS,
    # Who approves billing signs for money: the same person subscribes to OpenLEG, manages the subscription and
    # hands out the API keys the subscription pays for.
    PortalRole.APPROVER: _DESK_ACTIONS
    | {
        PortalAction.APPROVE_BILLING, PortalAction.CANCEL_BILLING, PortalAction.MANAGE_SUBSCRIPTION,
        PortalAction.MANAGE_API_KEYS,
    },
}


def may(user, action: str) -> bool:
    """True when ``user`` is an active utility user whose role allows ``action``; an unknown action is a bug."""
    if action not in PortalAction.values:
        raise ValueError(f"unknown portal action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_staff:
        return False
    if user.utility_id is None:
        return False
    return action in ROLE_ACTIONS.get(user.portal_role, frozenset())


def _check(user, action: str) -> None:
    if not may(user, action):
        raise PermissionDenied


def portal_action_required(action: str):
    """View decorator: anonymous users go to the login, users whose role does not allow ``action`` get a 403."""
    if action not in PortalAction.values:
        raise ValueError(f"unknown portal action {action!r}")

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            _check(request.user, action)
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator


class PortalActionRequiredMixin(LoginRequiredMixin):
    """Class-based views: set ``portal_action``; the same answers as ``portal_action_required``."""

    portal_action: str = PortalAction.VIEW

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _check(request.user, self.portal_action)
        return super().dispatch(request, *args, **kwargs)
