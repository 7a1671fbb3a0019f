"""create_user USERNAME --role ROLE [--role ROLE]… [--name 姓名] (INTERFACES.md)."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from archives.audit_log import audit_log_verify
from archives.models import AuditLogEntry
from archives.roles import Role, user_roles

from .factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD = "Qiuyue-2026-档案"


def create_user(*args, stdin: str = GOOD + "\n"):
    """(exit status, stdout, error text) of the command."""
    out = StringIO()
    try:
        call_command("create_user", *args, stdin=StringIO(stdin), stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


def roles_of(username: str) -> set[str]:
    return user_roles(User.objects.get(username=username))


def test_it_creates_an_account_with_its_roles_and_name():
    code, out, _ = create_user("chenxm", "--role", "auditor", "--role", "archivist", "--name", "陈晓明")
    assert code == 0
    assert "已新建账号 chenxm（陈晓明）" in out
    user = User.objects.get(username="chenxm")
    assert (user.first_name, user.last_name, user.get_full_name()) == ("陈晓明", "", "陈晓明")
    assert roles_of("chenxm") == {Role.AUDITOR, Role.ARCHIVIST}
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert user.check_password(GOOD)


def test_the_user_can_log_in_afterwards(client):
    create_user("zhengkz", "--role", "chief", "--name", "郑科长")
    assert client.login(username="zhengkz", password=GOOD)
    assert client.get(reverse("home")).status_code == 200


def test_the_admin_role_is_staff_in_the_administrators_group_but_not_a_superuser(client):
    code, _, _ = create_user("sysadmin2", "--role", "admin", "--name", "系统管理员")
    assert code == 0
    user = User.objects.get(username="sysadmin2")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [Role.ADMIN]
    client.force_login(user)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_an_existing_account_gets_the_roles_given_in_place_of_its_old_ones():
    other = Group.objects.create(name="打印室")
    user = UserFactory(username="wangsh", first_name="王审核", roles=[Role.AUDITOR, Role.ADMIN])
    user.groups.add(other)
    User.objects.filter(pk=user.pk).update(is_staff=True)

    code, out, _ = create_user("wangsh", "--role", "chief", stdin="\n")
    assert code == 0 and "已更新账号 wangsh（王审核）" in out
    user.refresh_from_db()
    assert roles_of("wangsh") == {Role.CHIEF}
    assert set(user.groups.values_list("name", flat=True)) == {Role.CHIEF, "打印室"}  # not a product role: kept
    assert not user.is_staff  # no longer the administrator
    assert user.first_name == "王审核"  # no --name: unchanged
    assert user.check_password("correct-horse-battery")  # an empty line keeps the password


def test_an_existing_account_gets_a_new_name_and_password():
    UserFactory(username="lisi", first_name="李四", roles=[Role.LEADER])
    code, _, _ = create_user("lisi", "--role", "leader", "--name", "李思", stdin="Xinmima-2026-lisi\n")
    assert code == 0
    user = User.objects.get(username="lisi")
    assert user.first_name == "李思" and user.check_password("Xinmima-2026-lisi")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("1234567890123", "密码只包含数字"),
        ("password1234", "密码太常见"),
        ("zhangsanfeng", "密码跟 用户名 太相似"),
    ],
)
def test_a_weak_password_is_refused_with_the_validators_messages_and_nothing_is_created(password, message):
    code, out, error = create_user("zhangsanfeng", "--role", "auditor", stdin=password + "\n")
    assert code == 1
    assert message in error, error
    assert out == ""
    assert not User.objects.filter(username="zhangsanfeng").exists()
    assert not AuditLogEntry.objects.exists()


def test_a_weak_password_leaves_an_existing_account_untouched():
    UserFactory(username="lisi", first_name="李四", roles=[Role.LEADER])
    code, _, error = create_user("lisi", "--role", "auditor", "--name", "李思", stdin="1234\n")
    assert code == 1 and "密码长度太短" in error
    user = User.objects.get(username="lisi")
    assert user.first_name == "李四" and roles_of("lisi") == {Role.LEADER}
    assert user.check_password("correct-horse-battery")


def test_a_new_account_needs_a_password():
    code, _, error = create_user("nopass", "--role", "auditor", stdin="")
    assert code == 1 and "新建账号必须设置密码" in error
    assert not User.objects.filter(username="nopass").exists()


def test_an_unknown_role_is_refused_with_the_list_of_roles():
    code, _, error = create_user("someone", "--role", "auditor", "--role", "boss")
    assert code == 1
    assert "未知的角色：boss" in error
    for code_name in ("auditor", "chief", "leader", "archivist", "admin"):
        assert code_name in error
    assert not User.objects.filter(username="someone").exists()


def test_a_role_is_required():
    code, _, error = create_user("someone")
    assert code == 1 and "--role" in error and "auditor" in error
    assert not User.objects.exists()


@pytest.mark.parametrize("args", [("--password", GOOD), (GOOD,)])
def test_the_password_is_never_accepted_as_an_argument(args):
    with pytest.raises(CommandError, match="unrecognized arguments"):
        call_command("create_user", "someone", "--role", "auditor", *args, stdin=StringIO(""))
    assert not User.objects.filter(username="someone").exists()


def test_only_the_first_line_of_standard_input_is_the_password():
    create_user("twolines", "--role", "auditor", stdin=f"{GOOD}\r\nsomething else\n")
    assert User.objects.get(username="twolines").check_password(GOOD)


class Terminal(StringIO):
    def isatty(self):
        return True


def test_at_a_terminal_the_password_is_asked_twice_without_echo(monkeypatch):
    answers = iter([GOOD, GOOD])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(answers))
    call_command("create_user", "tty", "--role", "auditor", stdin=Terminal(), stdout=StringIO())
    assert len(prompts) == 2 and User.objects.get(username="tty").check_password(GOOD)
    answers = iter([GOOD, "something-else-2026"])
    with pytest.raises(CommandError, match="两次输入的密码不一致"):
        call_command("create_user", "tty2", "--role", "auditor", stdin=Terminal(), stdout=StringIO())


def test_from_a_shell_the_password_comes_through_a_pipe_and_refusals_exit_1(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DJANGO_SETTINGS_MODULE": "dossier_audit.settings"}

    def manage(*args, stdin=""):
        return subprocess.run(  # noqa: S603 (fixed arguments: our own manage.py)
            [sys.executable, str(root / "manage.py"), *args], input=stdin, capture_output=True, text=True, cwd=root, env=env, check=False
        )

    assert manage("migrate", "-v0").returncode == 0
    created = manage("create_user", "chenxm", "--role", "archivist", "--name", "陈晓明", stdin=GOOD + "\n")
    assert created.returncode == 0 and "已新建账号 chenxm（陈晓明）：管档人员" in created.stdout, created.stderr
    weak = manage("create_user", "lisi", "--role", "chief", stdin="12345\n")
    assert weak.returncode == 1 and "密码长度太短" in weak.stderr
    unknown = manage("create_user", "lisi", "--role", "boss", stdin=GOOD + "\n")
    assert unknown.returncode == 1 and "未知的角色：boss" in unknown.stderr
    assert manage("create_user", "lisi", "--role", "chief", "--password", GOOD).returncode == 2  # not an option at all
    assert manage("verify_audit_log").returncode == 0


def test_each_action_writes_a_chained_audit_log_entry_without_the_password():
    create_user("chenxm", "--role", "auditor", "--name", "陈晓明")
    create_user("chenxm", "--role", "chief", stdin="\n")
    first, second = AuditLogEntry.objects.order_by("seq")
    user = User.objects.get(username="chenxm")
    assert first.action == AuditLogEntry.Action.ACCOUNT
    assert (first.actor_id_value, first.actor_name) == (None, "")  # a command, no user
    assert (first.object_type, first.object_id) == ("auth.user", str(user.pk))
    assert first.summary == "新建账号 chenxm（陈晓明），角色：审核人员（manage.py create_user）"
    assert first.data == {
        "username": "chenxm",
        "created": True,
        "roles": [Role.AUDITOR],
        "name": "陈晓明",
        "staff": False,
        "password_changed": True,
        "source": "manage.py create_user",
    }
    assert second.summary.startswith("更新账号 chenxm（陈晓明），角色：科长")
    assert second.data["created"] is False and second.data["password_changed"] is False
    assert GOOD not in str(first.data) + first.summary
    assert audit_log_verify()[1] is None
