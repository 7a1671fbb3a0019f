"""Logins, logouts and failed logins enter the audit log.

Django announces these only through its auth signals, so receivers are the entry point here;
they call the one service that writes the log.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit_log import audit_log_append
from .models import AuditLogEntry


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


@receiver(user_logged_in, dispatch_uid="audit_log_login")
def _logged_in(sender, request, user, **kwargs):
    audit_log_append(actor=user, action=AuditLogEntry.Action.LOGIN, summary="登录", data=_client(request))


@receiver(user_logged_out, dispatch_uid="audit_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log_append(actor=user, action=AuditLogEntry.Action.LOGOUT, summary="退出登录", data=_client(request))


@receiver(user_login_failed, dispatch_uid="audit_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_log_append(actor=None, action=AuditLogEntry.Action.LOGIN_FAILED, summary=f"登录失败：{username}", data={"username": username, **_client(request)})
