"""The account pages of the portal: Django's auth views with German templates under ``templates/accounts/``."""

from django.contrib.auth import views as auth_views

from accounts import login_throttle


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Whoever proved the mailbox and set a new password may log in at once: the account's lock is lifted."""

    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        login_throttle.login_succeeded(self.request, form.user.get_username())
        return response
