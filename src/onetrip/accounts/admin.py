from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

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

    def get_readonly_fields(self, request, obj=None):
        # An applicant's notice address is theirs to set, proven by a code (通知方式).
        extra = ["email"] if obj is not None and not obj.is_staff else []
        return [*super().get_readonly_fields(request, obj), *extra]

    # Who may do what is a state change like any other: granting 系统管理, a department role,
    # or disabling an account goes into the audit chain, in the admin's own transaction.
    ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")

    def save_model(self, request, obj, form, change):
        before = (
            User.objects.filter(pk=obj.pk).values(*self.ACCESS_FIELDS).first() if change else None
        )
        super().save_model(request, obj, form, change)
        after = {f: getattr(obj, f) for f in self.ACCESS_FIELDS}
        if before != after:
            _audit_access(
                request, obj, "account.create" if not change else "account.access", before, after
            )

    def save_related(self, request, form, formsets, change):
        before = _grants(form.instance)
        super().save_related(request, form, formsets, change)
        after = _grants(form.instance)
        if before != after:
            _audit_access(request, form.instance, "account.roles", before, after)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was accepted
            user = self.get_object(request, id)
            _audit_access(request, user, "account.password", None, None)
        return response

    def delete_model(self, request, obj):
        _audit_access(
            request,
            obj,
            "account.delete",
            {**{f: getattr(obj, f) for f in self.ACCESS_FIELDS}, **_grants(obj)},
            None,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)


def _grants(user: User) -> dict[str, list[str]]:
    """What ``user`` may do beyond their own account: department roles, groups, permissions."""
    if not user.pk:
        return {"roles": [], "groups": [], "permissions": []}
    return {
        "roles": _roles(user),
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


def _roles(user: User) -> list[str]:
    return (
        sorted(
            f"{role}@{code}"
            for role, code in StaffRole.objects.filter(user_id=user.pk).values_list(
                "role", "department__code"
            )
        )
        if user.pk
        else []
    )


def _audit_access(request, user: User, action: str, before, after) -> None:
    from onetrip.audit.services import audit_append

    audit_append(
        actor=request.user,
        action=action,
        target=user,
        summary=f"{user.username} 的账号权限变更",
        before=before,
        after=after,
        request=request,
    )


from onetrip.accounts.models import Authorisation, Enterprise, Person  # noqa: E402
from onetrip.accounts.services import (  # noqa: E402
    AccountsError,
    authorisation_check,
    authorisation_recorded,
)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["real_name", "id_number_masked", "phone_masked", "created_at"]
    search_fields = ["real_name"]
    fields = [
        "real_name",
        "id_number_masked",
        "phone_masked",
        "birth_date",
        "gender",
        "user",
        "created_at",
        "created_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # people are registered at the window or by signing in


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "credit_code_override", "legal_representative"]
    search_fields = ["name", "credit_code"]
    readonly_fields = [
        "credit_code",
        "credit_code_override",
        "override_reason",
        "override_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # registered at the window, where the code is checked (and overrides audited)


class AuthorisationForm(forms.ModelForm):
    class Meta:
        model = Authorisation
        fields = [
            "principal_person",
            "principal_enterprise",
            "agent",
            "item_codes",
            "valid_from",
            "valid_until",
            "document_reference",
            "revoked_at",
        ]

    def clean(self):
        data = super().clean()
        try:
            authorisation_check(
                agent=data.get("agent"),
                principal_person=data.get("principal_person"),
                principal_enterprise=data.get("principal_enterprise"),
                valid_from=data.get("valid_from"),
                valid_until=data.get("valid_until"),
                new=self.instance.pk is None,
            )
        except AccountsError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(Authorisation)
class AuthorisationAdmin(admin.ModelAdmin):
    form = AuthorisationForm
    list_display = ["__str__", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["revoked_at"]
    autocomplete_fields = ["principal_person", "principal_enterprise", "agent"]
    readonly_fields = ["created_at", "created_by"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            authorisation_recorded(obj, actor=request.user)
