"""The account pages of the portal: Django's auth views with German templates under ``templates/accounts/``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse

from accounts import login_throttle
from accounts.forms import PortalPasswordResetForm, ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    """Utility users land in the portal; staff, who are not portal users, in the admin (unless ``next`` says)."""

    authentication_form = ThrottledAuthenticationForm

    def post(self, request, *args, **kwargs):
        return login_throttle.locked_answer(super().post(request, *args, **kwargs))

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Whoever proved the mailbox and set a new password may log in at once: the account's lock is lifted."""

    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        login_throttle.login_succeeded(self.request, form.user.get_username())
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with the portal's form, which needs the request for its throttle."""

    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/password_reset_subject.txt"
    email_template_name = "accounts/password_reset_email.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def admin_login(request):
    """The admin's own login page (``admin.site.login``), answering a locked try with 429 as the portal does."""
    return login_throttle.locked_answer(admin.site.login(request))
