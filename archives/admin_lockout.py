"""Login lockouts in the admin site: the system administrator unlocks a username or an address
by deleting its access attempts (django-axes), and each unlock enters the audit log.

axes registers its own admin classes; this replaces the attempts' one and removes the two logs
this product does not keep (AXES_DISABLE_ACCESS_LOG: logins are in the audit log already).
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import transaction

from .audit_log import audit_log_append
from .models import AuditLogEntry


def _log_unlocks(actor, attempts) -> None:
    for attempt in attempts:
        audit_log_append(
            actor=actor,
            action=AuditLogEntry.Action.ACCOUNT,
            summary=f"解除登录锁定：{attempt.username or '（无用户名）'}（地址 {attempt.ip_address or '未知'}，失败 {attempt.failures_since_start} 次）",
            data={"unlock": True, "username": attempt.username or "", "ip": attempt.ip_address or "", "failures": attempt.failures_since_start},
        )


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """axes' list of failed-login records; deleting one lifts the lock it holds."""

    def delete_model(self, request, obj):
        with transaction.atomic():
            _log_unlocks(request.user, [obj])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            _log_unlocks(request.user, list(queryset))
            super().delete_queryset(request, queryset)


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
