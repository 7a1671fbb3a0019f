"""Logins and sessions: lockout after repeated failures (django-axes), the client's address
behind a reverse proxy, and the idle and absolute session timeouts (issue 11, item 4).

Settings (README, Environment): LOGIN_FAILURE_LIMIT failures for one username, or from one
address, lock that username or that address for LOGIN_LOCKOUT_MINUTES; a session ends after
SESSION_IDLE_TIMEOUT seconds without a request and SESSION_ABSOLUTE_TIMEOUT seconds after login.
"""

from __future__ import annotations

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _

# Seconds since the epoch, kept in the session (the server side: the browser cannot change them).
LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
# The idle clock is written at most once a minute, not on every request.
SEEN_RESOLUTION = 60


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check, for every login that comes with a request (the login page, the
    admin's). A call without a request comes from the server's own code (a script, a test's
    ``client.login``), never from a visitor: there is no address to count, and axes would raise,
    so it is passed on to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind DJANGO_PROXY_COUNT reverse proxies that each
    append to X-Forwarded-For, the address the outermost of them saw. Entries a client wrote into
    the header itself stand further left and are never used."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.CLIENT_IP_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked login gets (AXES_LOCKOUT_CALLABLE): why, for how long, and whom to ask."""
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return render(request, "registration/locked_out.html", context, status=429)


def session_start(request) -> None:
    """Called at login: both clocks start now."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def _expired(request) -> str | None:
    session, now = request.session, int(time.time())
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None:  # a session opened before these clocks existed: they start now
        session_start(request)
        return None
    if now - login_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if seen_at is not None and now - seen_at >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if seen_at is None or now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return None


class SessionTimeoutMiddleware:
    """Logs out a session idle for SESSION_IDLE_TIMEOUT seconds, or SESSION_ABSOLUTE_TIMEOUT
    seconds after its login whatever the activity, and sends the user to the login page with a
    message saying why. The logout enters the audit log (auth_events) with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        reason = _expired(request) if user is not None and user.is_authenticated else None
        if reason is None:
            return self.get_response(request)
        request.session_timeout = reason
        logout(request)
        if reason == "idle":
            text = _("超过 %(minutes)d 分钟没有操作，已自动退出，请重新登录。") % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
        else:
            text = _("登录已满 %(hours)g 小时，已自动退出，请重新登录。") % {"hours": settings.SESSION_ABSOLUTE_TIMEOUT / 3600}
        messages.warning(request, text)
        # A form posted after the timeout is not replayed: back to the page after login instead.
        target = request.get_full_path() if request.method == "GET" else resolve_url(settings.LOGIN_REDIRECT_URL)
        return redirect_to_login(target)
