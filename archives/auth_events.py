"""Logins, logouts and failed logins enter the audit log.

Django announces these only through its auth signals, so receivers are the entry point here;
they call the one service that writes the log. axes' receivers run first (INSTALLED_APPS puts
it before archives), so a failed login already knows whether it locked, or met, a lockout.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit_log import audit_log_append
from .login_security import client_ip, session_start
from .models import AuditLogEntry

TIMEOUT_SUMMARIES = {"idle": "会话闲置超时，自动退出", "absolute": "登录时长已满，自动退出"}


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": client_ip(request), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


@receiver(user_logged_in, dispatch_uid="audit_log_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request)  # the idle and absolute timeouts count from here
    audit_log_append(actor=user, action=AuditLogEntry.Action.LOGIN, summary="登录", data=_client(request))


@receiver(user_logged_out, dispatch_uid="audit_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        timeout = getattr(request, "session_timeout", None)
        data = {**_client(request), **({"timeout": timeout} if timeout else {})}
        audit_log_append(actor=user, action=AuditLogEntry.Action.LOGOUT, summary=TIMEOUT_SUMMARIES.get(timeout, "退出登录"), data=data)


@receiver(user_login_failed, dispatch_uid="audit_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    summary = f"登录失败（已锁定）：{username}" if locked else f"登录失败：{username}"
    audit_log_append(
        actor=None,
        action=AuditLogEntry.Action.LOGIN_FAILED,
        summary=summary,
        data={"username": username, **_client(request), **({"locked": True} if locked else {})},
    )
