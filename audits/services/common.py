"""Helpers shared by the audits services."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError

from archives.roles import Role, has_role
from archives.selectors import recused_cadre_ids

from ..models import (
    AuditCase,
)

logger = logging.getLogger(__name__)

DEFAULT_SAMPLE_RATE = Decimal("0.1")


def _name(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


def _require_role(user, *roles, doing: str) -> None:
    if user is None or not has_role(user, *roles):
        names = "或".join(str(Role(r).label) for r in roles)
        raise ValidationError(f"只有{names}可以{doing}")


def _refuse_recused(user, case: AuditCase) -> None:
    if user is not None and case.dossier.cadre_id in recused_cadre_ids(user):
        raise ValidationError("不能审核或处理本人或有回避关系亲属的档案")
