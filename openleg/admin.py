"""Admin registrations that belong to no app: django-celery-beat's schedules, for technical staff only.

Celery beat's models (periodic tasks, crontab, interval, solar and clocked schedules) are plumbing; a billing
clerk has no business there even with a role that grants every permission. Superusers and members of the
group ``Technik`` see and edit them; for everyone else they are neither listed nor reachable.
"""

from django.contrib import admin

TECHNICAL_GROUP = "Technik"
TECHNICAL_APPS = {"django_celery_beat"}


def is_technical(user) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=TECHNICAL_GROUP).exists()


class TechnicalOnlyAdminMixin:
    def has_module_permission(self, request):
        return is_technical(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_technical(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return is_technical(request.user) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return is_technical(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_technical(request.user) and super().has_delete_permission(request, obj)


def restrict_to_technical_staff(site: admin.AdminSite) -> None:
    """Re-register the technical apps' models with their own admin classes behind ``TechnicalOnlyAdminMixin``."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label in TECHNICAL_APPS and not isinstance(model_admin, TechnicalOnlyAdminMixin):
            base = type(model_admin)
            site.unregister(model)
            site.register(model, type(f"Technical{base.__name__}", (TechnicalOnlyAdminMixin, base), {}))


# Autodiscovery imports this after django_celery_beat's admin: "openleg" follows it in INSTALLED_APPS.
restrict_to_technical_staff(admin.site)
