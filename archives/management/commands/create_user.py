"""create_user USERNAME --role ROLE [--role ROLE]… [--name 姓名] (INTERFACES.md).

The password comes from standard input, never from an argument (arguments end up in shell
history and in every process listing): typed without echo at a terminal, otherwise one line.
An existing account keeps its password when the line is empty. Exit status 1 when refused.
"""

import getpass
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from archives.accounts import user_create_or_update
from archives.roles import ROLE_CODES

ROLE_LIST = "、".join(f"{code}（{role.label}）" for code, role in ROLE_CODES.items())


class Command(BaseCommand):
    help = "新建账号，或更新已有账号的角色和姓名；密码从标准输入读取（一行），不作为参数"
    # call_command(..., stdin=StringIO(...)) in tests, as Django's createsuperuser does.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--role", action="append", default=[], metavar="ROLE", help=f"角色，可重复：{ROLE_LIST}")
        parser.add_argument("--name", help="姓名（显示名）")

    def handle(self, *args, username, role, name=None, **options):
        # Validators' messages in the product's language, whatever the caller's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(username, role, name, options.get("stdin") or sys.stdin)

    def _handle(self, username, codes, name, stdin):
        if not codes:
            raise CommandError(f"请用 --role 指定至少一个角色，可选：{ROLE_LIST}")
        unknown = [code for code in codes if code not in ROLE_CODES]
        if unknown:
            raise CommandError(f"未知的角色：{'、'.join(unknown)}；可选：{ROLE_LIST}")
        password = self._read_password(stdin)
        try:
            user, created = user_create_or_update(
                username=username, roles=[ROLE_CODES[code] for code in codes], name=name, password=password, source="manage.py create_user"
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        roles = "、".join(str(ROLE_CODES[code].label) for code in dict.fromkeys(codes))
        self.stdout.write(f"{'已新建' if created else '已更新'}账号 {user.username}（{user.get_full_name() or '未填姓名'}）：{roles}")

    def _read_password(self, stdin) -> str:
        if stdin.isatty():
            password = getpass.getpass("密码（已有账号留空则不修改）：")
            if password and getpass.getpass("再次输入密码：") != password:
                raise CommandError("两次输入的密码不一致")
            return password
        return stdin.readline().rstrip("\r\n")
