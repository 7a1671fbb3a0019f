"""Accounts in the admin site: the system administrator (staff, not a superuser) creates
accounts, names them, activates or deactivates them and resets passwords, but only a superuser
grants superuser status, roles (groups) or permissions: otherwise the administrator could give
themselves a role and read every dossier. Every change of an account's roles, permissions,
flags or password enters the hash-chained audit log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from .audit_log import audit_log_append
from .models import AuditLogEntry

User = get_user_model()
GRANTS = ("is_superuser", "groups", "user_permissions")
FLAGS = ("is_active", "is_staff", "is_superuser")


def _snapshot(user) -> dict:
    if not user.pk:
        return {}
    return {
        **{flag: getattr(user, flag) for flag in FLAGS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
    }


def _log(request, user, before: dict, after: dict, *, password: bool = False) -> None:
    changes = {key: [before.get(key), after[key]] for key in after if before.get(key) != after[key]}
    if password:
        changes["password"] = ["***", "***"]
    if not changes:
        return
    audit_log_append(
        actor=request.user,
        action=AuditLogEntry.Action.ACCOUNT,
        obj=user,
        summary=f"管理后台修改账号 {user.username}：{'、'.join(changes)}",
        data={"account": user.username, "changes": changes, "source": "admin"},
    )


class AccountAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in (*GRANTS, "is_staff", "last_login", "date_joined") if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        # The state before the form's changes (groups and permissions are saved in save_related).
        request._account_before = _snapshot(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        _log(request, user, getattr(request, "_account_before", {}), _snapshot(user), password=not change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            _log(request, user, {}, {}, password=True)
        return response


class RoleGroupAdmin(GroupAdmin):
    """Roles are groups; only a superuser changes what a role may do."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


for model, model_admin in ((User, AccountAdmin), (Group, RoleGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
