from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "utility", "portal_role", "is_active"]
    list_filter = ["is_staff", "is_active", "portal_role", "utility"]
    list_select_related = ["utility"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Netzbetreiber"), {"fields": ["utility", "portal_role"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "password1", "password2", "is_staff", "utility", "portal_role"],
            },
        ),
    ]
