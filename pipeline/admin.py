from django.contrib import admin

from pipeline.models import Municipality, Utility


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "canton", "bfs_number"]
    list_filter = ["canton"]
    search_fields = ["name", "=bfs_number"]


@admin.register(Utility)
class UtilityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "canton", "vnb_number", "town", "is_demo"]
    list_filter = ["canton", "is_demo"]
    search_fields = ["name", "short_name", "=vnb_number", "eic"]
    filter_horizontal = ["municipalities"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "canton", "vnb_number", "eic", "municipalities", "is_demo"]}),
        ("Kontakt", {"fields": ["contact_name", "email", "phone", "website"]}),
        ("Adresse", {"fields": ["street", "house_number", "postcode", "town", "country"]}),
    ]
