from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from onetrip.accounts.models import StaffRole, User


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [StaffRoleInline]
    list_display = ["username", "display_name", "is_staff", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("onetrip", {"fields": ["display_name"]}))
