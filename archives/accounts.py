"""User accounts and their product roles, for scripts (``create_user``).

The admin site stays the place for day-to-day account management; this is the one service a
script calls to create an account or set its roles, name and password in one step.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .audit_log import audit_log_append
from .models import AuditLogEntry
from .roles import Role


@transaction.atomic
def user_create_or_update(*, username: str, roles, name: str | None = None, password: str | None = None, actor=None, source: str = ""):
    """Create the account ``username`` or update it; returns ``(user, created)``.

    ``roles`` (Role values) replace the user's previous product roles; other groups stay.
    ``name`` is the display name, kept whole in ``first_name`` as seed_demo does (the product
    shows ``last_name + first_name``); None leaves an existing name alone. ``password`` is
    required for a new account; None or empty keeps an existing account's password. The
    system administrator role makes the account staff (the admin site) but never a superuser.
    """
    User = get_user_model()
    username = (username or "").strip()
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ValidationError("请至少指定一个角色")
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError(f"未知的角色：{'、'.join(map(str, unknown))}（可选：{'、'.join(Role.values)}）")

    user = User.objects.select_for_update().filter(username=username).first() if username else None
    created = user is None
    if created:
        if not password:
            raise ValidationError("新建账号必须设置密码")
        user = User(username=username)
    if name is not None:
        user.first_name, user.last_name = name.strip(), ""
    # Staff opens the admin site; a superuser keeps it whatever roles a script gives them.
    user.is_staff = Role.ADMIN in roles or user.is_superuser
    user.full_clean(exclude=["password", "last_login", "date_joined"], validate_unique=created)
    if password:
        validate_password(password, user)
        user.set_password(password)
    user.save()

    groups = list(Group.objects.filter(name__in=roles))
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(pk__in=[g.pk for g in groups]))
    user.groups.add(*groups)
    user._role_cache = None  # roles.user_roles caches on the instance

    labels = "、".join(str(Role(r).label) for r in roles)
    verb = "新建账号" if created else "更新账号"
    audit_log_append(
        actor=actor,
        action=AuditLogEntry.Action.ACCOUNT,
        obj=user,
        summary=f"{verb} {user.username}（{user.get_full_name() or '未填姓名'}），角色：{labels}" + (f"（{source}）" if source else ""),
        data={
            "username": user.username,
            "created": created,
            "roles": roles,
            "name": user.get_full_name(),
            "staff": user.is_staff,
            "password_changed": bool(password),
            "source": source,
        },
    )
    return user, created
