"""The login forms of the portal and the admin, both throttled by ``accounts.login_throttle``, and the portal's
password reset form."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import login_throttle, reset_throttle


class ThrottledLoginMixin:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = login_throttle.seconds_locked(self.request, username)
        if wait <= 0 and not login_throttle.login_try_begin(self.request, username):
            wait = max(1, login_throttle.seconds_locked(self.request, username))
        if wait > 0:
            self.locked_seconds = wait  # the view answers 429 with Retry-After
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
    # Django's German only asks to "enter" name and password again; say plainly that they did not match.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort ist falsch. Bitte prüfen Sie beides; die Gross- und Kleinschreibung zählt."
        ),
    }


class PortalPasswordResetForm(PasswordResetForm):
    """Reset by e-mail for utility users only: staff accounts carry admin rights and are reset by an administrator.
    Throttled by ``accounts.reset_throttle`` (the view hands the request to the form)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        if self.request is not None and reset_throttle.request_refused(self.request):
            minutes = reset_throttle.window_minutes()
            raise ValidationError(
                ngettext(
                    "Zu viele Anfragen für ein neues Passwort von Ihrer Adresse. Bitte warten Sie %(minutes)d Minute "
                    "und versuchen Sie es dann erneut.",
                    "Zu viele Anfragen für ein neues Passwort von Ihrer Adresse. Bitte warten Sie %(minutes)d "
                    "Minuten und versuchen Sie es dann erneut.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        return cleaned

    def get_users(self, email):
        if not reset_throttle.mail_allowed(email):
            return iter(())
        return (user for user in super().get_users(email) if user.utility_id is not None and not user.is_staff)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        context["valid_hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
