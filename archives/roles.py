"""The five roles (DOMAIN.md), kept as auth groups created by a migration.

Views ask `has_role`; nothing compares against a bare group name.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AUDITOR = "审核人员", _("审核人员")
    CHIEF = "科长", _("科长")
    LEADER = "分管领导", _("分管领导")
    ARCHIVIST = "管档人员", _("管档人员")
    ADMIN = "系统管理员", _("系统管理员")


# The roles' names on the command line (INTERFACES.md: create_user --role).
ROLE_CODES: dict[str, Role] = {
    "auditor": Role.AUDITOR,
    "chief": Role.CHIEF,
    "leader": Role.LEADER,
    "archivist": Role.ARCHIVIST,
    "admin": Role.ADMIN,
}


# Each role's model permissions (used by the admin site) are granted by the data migrations
# archives/0002 and 0005.


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._role_cache = cached
    return cached


def has_role(user, *roles) -> bool:
    return bool(user_roles(user) & set(roles))


def role_required(*roles):
    """View decorator: 302 to login when anonymous, 403 without one of the roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
