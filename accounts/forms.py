"""The login forms of the portal and the admin, both throttled by ``accounts.login_throttle``."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from accounts import login_throttle


class ThrottledLoginMixin:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = login_throttle.seconds_locked(self.request, username)
        if wait > 0:
            minutes = max(1, -(-wait // 60))
            raise ValidationError(
                ngettext(
                    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(minutes)d Minute und versuchen "
                    "Sie es dann erneut.",
                    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(minutes)d Minuten und versuchen "
                    "Sie es dann erneut.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                login_throttle.login_failed(self.request, username)
            raise
        login_throttle.login_succeeded(self.request, username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
