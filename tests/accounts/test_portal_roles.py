"""Each portal role may exactly its actions; staff, anonymous and inactive users may none; refusals are 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.views import View

from accounts.models import PortalRole, User
from accounts.portal_roles import PortalAction, PortalActionRequiredMixin, may, portal_action_required
from tests.accounts.factories import StaffUserFactory, UtilityUserFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    PortalRole.VIEWER: {"view"},
    PortalRole.DESK: {"view", "edit_formation", "upload_meter_data", "compute_billing"},
    PortalRole.APPROVER: {
        "view",
        "edit_formation",
        "upload_meter_data",
        "compute_billing",
        "approve_billing",
        "cancel_billing",
        "manage_subscription",
        "manage_api_keys",
    },
}
ACTIONS = sorted(PortalAction.values)
ROLES = [PortalRole.VIEWER, PortalRole.DESK, PortalRole.APPROVER]


def test_the_actions_are_the_named_eight():
    assert ACTIONS == [
        "approve_billing",
        "cancel_billing",
        "compute_billing",
        "edit_formation",
        "manage_api_keys",
        "manage_subscription",
        "upload_meter_data",
        "view",
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_may_exactly_its_actions(role, action):
    user = UtilityUserFactory(portal_role=role)

    assert may(user, action) is (action in ALLOWED[role])


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_anonymous_and_inactive_users_may_nothing_in_the_portal(action):
    inactive = UtilityUserFactory(portal_role=PortalRole.APPROVER, is_active=False)

    assert may(StaffUserFactory(), action) is False
    assert may(AnonymousUser(), action) is False
    assert may(inactive, action) is False


def test_a_new_utility_user_reads_only():
    user = User.objects.create_user("neu", password="x", utility=UtilityUserFactory().utility)

    assert user.portal_role == "viewer"
    assert may(user, "view") is True
    assert may(user, "edit_formation") is False


def test_an_unknown_action_is_a_bug_not_a_refusal():
    with pytest.raises(ValueError, match="unknown portal action 'approve'"):
        may(UtilityUserFactory(), "approve")
    with pytest.raises(ValueError, match="unknown portal action 'approve'"):
        portal_action_required("approve")


def test_role_labels_are_german():
    assert [str(label) for label in PortalRole.labels] == ["Nur lesen", "LEG-Desk", "Abrechnung freigeben"]


@portal_action_required(PortalAction.APPROVE_BILLING)
def _approve_view(request):
    return HttpResponse("freigegeben")


class _UploadView(PortalActionRequiredMixin, View):
    portal_action = PortalAction.UPLOAD_METER_DATA

    def get(self, request):
        return HttpResponse("hochgeladen")


def _request(user):
    request = RequestFactory().get("/utility/x/")
    request.user = user
    return request


def test_decorator_lets_the_approver_in_and_refuses_the_desk():
    assert _approve_view(_request(UtilityUserFactory(portal_role=PortalRole.APPROVER))).content == b"freigegeben"
    with pytest.raises(PermissionDenied):
        _approve_view(_request(UtilityUserFactory(portal_role=PortalRole.DESK)))
    with pytest.raises(PermissionDenied):
        _approve_view(_request(StaffUserFactory()))


def test_decorator_and_mixin_send_anonymous_users_to_the_login():
    for view in (_approve_view, _UploadView.as_view()):
        response = view(_request(AnonymousUser()))

        assert response.status_code == 302
        assert response.url == "/accounts/login/?next=/utility/x/"


def test_mixin_lets_the_desk_in_and_refuses_the_viewer():
    view = _UploadView.as_view()

    assert view(_request(UtilityUserFactory(portal_role=PortalRole.DESK))).content == b"hochgeladen"
    with pytest.raises(PermissionDenied):
        view(_request(UtilityUserFactory(portal_role=PortalRole.VIEWER)))


def test_templates_ask_the_same_rule():
    page = Template('{% load portal_roles %}{% if user|may:"approve_billing" %}Freigeben{% else %}–{% endif %}')

    assert page.render(Context({"user": UtilityUserFactory(portal_role=PortalRole.APPROVER)})) == "Freigeben"
    assert page.render(Context({"user": UtilityUserFactory(portal_role=PortalRole.DESK)})) == "–"
    assert page.render(Context({"user": AnonymousUser()})) == "–"
