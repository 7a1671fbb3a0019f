"""Lockout after repeated failed logins, password rules, and the idle and absolute session
timeouts (issue 11, item 4)."""

import datetime as dt
import time
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from archives.audit_log import audit_log_verify
from archives.login_security import LOGIN_AT, SEEN_AT, client_ip
from archives.models import AuditLogEntry

pytestmark = pytest.mark.django_db
RIGHT = "correct-horse-battery"  # the factories' password
LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, username="archivist", ip="10.0.0.1"):
    for _ in range(5):
        response = attempt(client, username, "wrong-password", ip)
    return response


# --- lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_then_the_right_one_is_refused_with_a_chinese_page(client, archivist):
    fail_five_times(client)
    response = attempt(client, "archivist", RIGHT)
    assert response.status_code == 429 and not logged_in(client)
    html = response.content.decode()
    assert "登录已锁定" in html and "连续 5 次登录失败" in html and "锁定 30 分钟" in html and "系统管理员" in html


def test_four_wrong_passwords_do_not_lock(client, archivist):
    for _ in range(4):
        attempt(client, "archivist", "wrong-password")
    response = attempt(client, "archivist", RIGHT)
    assert response.status_code == 302 and logged_in(client)


def test_failed_and_locked_logins_still_enter_the_audit_log(client, archivist):
    fail_five_times(client)
    attempt(client, "archivist", RIGHT)
    entries = list(AuditLogEntry.objects.order_by("seq"))
    assert [e.action for e in entries] == [AuditLogEntry.Action.LOGIN_FAILED] * 6
    assert [e.data.get("locked", False) for e in entries] == [False] * 4 + [True, True]
    assert entries[-1].summary == "登录失败（已锁定）：archivist" and entries[-1].data["ip"] == "10.0.0.1"
    assert audit_log_verify()[1] is None


def test_the_lock_is_per_username_whatever_the_address(client, archivist):
    for i in range(5):
        attempt(client, "archivist", "wrong-password", ip=f"10.0.1.{i}")
    assert attempt(client, "archivist", RIGHT, ip="10.0.2.1").status_code == 429


def test_the_lock_is_per_address_whatever_the_username(client, archivist, chief):
    for i in range(5):
        attempt(client, f"nobody{i}", "wrong-password", ip="10.0.0.9")
    assert attempt(client, "chief", RIGHT, ip="10.0.0.9").status_code == 429
    assert attempt(client, "chief", RIGHT, ip="10.0.0.10").status_code == 302  # another address


def test_the_lock_ends_after_30_minutes(client, archivist):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert attempt(client, "archivist", RIGHT).status_code == 302 and logged_in(client)


def test_attempts_during_the_lock_do_not_extend_it(client, archivist):
    fail_five_times(client)
    locked_at = timezone.now() - dt.timedelta(minutes=29)
    AccessAttempt.objects.update(attempt_time=locked_at)
    attempt(client, "archivist", "wrong-again")
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_the_reset_command_unlocks(client, archivist):
    fail_five_times(client)
    assert attempt(client, "archivist", RIGHT).status_code == 429
    out = StringIO()
    call_command("axes_reset_username", "archivist", stdout=out)
    assert "1 attempts removed" in out.getvalue()
    assert attempt(client, "archivist", RIGHT).status_code == 302 and logged_in(client)


def test_the_administrator_unlocks_in_the_admin_site_and_the_unlock_is_logged(client, archivist, admin_user):
    fail_five_times(client)
    admin_user.is_staff = True  # as create_user --role admin makes them
    admin_user.save(update_fields=["is_staff"])
    admin_client = client.__class__()
    admin_client.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200 and "archivist" in response.content.decode()
    (row,) = AccessAttempt.objects.all()
    response = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    unlock = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCOUNT).get()
    assert unlock.actor_id_value == admin_user.pk and unlock.data == {"unlock": True, "username": "archivist", "ip": "10.0.0.1", "failures": 5}
    assert "解除登录锁定：archivist" in unlock.summary
    assert attempt(client, "archivist", RIGHT).status_code == 302 and logged_in(client)


def test_other_roles_cannot_see_or_lift_lockouts(client, archivist, chief):
    chief.is_staff = True  # even with the admin site open to them, no permission on attempts
    chief.save(update_fields=["is_staff"])
    client.force_login(chief)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3")
    assert client_ip(request) == "127.0.0.1"
    settings.CLIENT_IP_PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"  # never the client-written 6.6.6.6
    settings.CLIENT_IP_PROXY_COUNT = 3
    assert client_ip(request) == "127.0.0.1"  # fewer hops than configured: the direct peer


# --- passwords -------------------------------------------------------------------------------


def test_passwords_need_ten_characters_and_the_demo_password_passes():
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="auditor1")
    with pytest.raises(ValidationError, match="至少 10 个字符"):
        validate_password("Qx7#kd9!z", user)  # 9
    validate_password("Qx7#kd9!zw", user)  # 10
    for username in ("auditor1", "auditor2", "chief", "leader", "archivist", "admin"):
        validate_password("demo-pass-2026", get_user_model()(username=username))


# --- session timeouts ------------------------------------------------------------------------


def shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": SEEN_AT}[key]] = now - ago
    session.save()


def test_login_starts_both_clocks(client, archivist):
    attempt(client, "archivist", RIGHT)
    session = client.session
    assert abs(session[LOGIN_AT] - time.time()) < 5 and session[SEEN_AT] == session[LOGIN_AT]


def test_a_session_idle_for_30_minutes_is_logged_out_with_a_message(client, archivist):
    client.force_login(archivist)
    shift_session(client, login=31 * 60, seen=31 * 60)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN + "?next=/")
    assert not logged_in(client)
    assert "超过 30 分钟没有操作，已自动退出" in response.content.decode()
    logout = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.LOGOUT).get()
    assert logout.summary == "会话闲置超时，自动退出" and logout.data["timeout"] == "idle"


def test_activity_slides_the_idle_timeout(client, archivist):
    client.force_login(archivist)
    shift_session(client, login=29 * 60, seen=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert abs(client.session[SEEN_AT] - time.time()) < 5  # the request moved the idle clock
    shift_session(client, seen=29 * 60)  # 58 minutes after login, never 30 idle
    assert client.get(reverse("home")).status_code == 200 and logged_in(client)


def test_a_session_is_logged_out_8_hours_after_login_however_active(client, archivist):
    client.force_login(archivist)
    shift_session(client, login=8 * 3600 + 1, seen=10)
    response = client.get(reverse("home"), follow=True)
    assert not logged_in(client) and "登录已满 8 小时" in response.content.decode()
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.LOGOUT).get().data["timeout"] == "absolute"


def test_a_form_posted_after_the_timeout_is_not_replayed(client, archivist):
    client.force_login(archivist)
    shift_session(client, seen=31 * 60)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == LOGIN + "?next=/"


def test_the_timeouts_follow_the_settings(client, archivist, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client.force_login(archivist)
    shift_session(client, seen=6 * 60)
    assert client.get(reverse("home")).status_code == 302 and not logged_in(client)
