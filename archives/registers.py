"""The registers an archive room keeps (登记簿) as lists: their columns, the date each is kept
by, the keys they sort by. The page, the printable view and the xlsx export all take their
columns from here, so the three show the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DossierTransfer, DossierUse, MaterialReceipt, MaterialSendOut, MaterialWeeding


def person_name(user) -> str:
    """A member of staff as people know them: the real name, the login only when none is set."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def staff_text(stored: str, user) -> str:
    """A name an entry stored as text (接收人, 经办人, 利用人) when it was written. Where that was
    the login of the staff member who wrote it (an account without a name then), their name."""
    if user is not None and stored == user.username:
        return person_name(user)
    return stored


def _date(value) -> str:
    return value.isoformat() if value else ""


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[object], object]
    width: int = 12
    sort: tuple[str, ...] = ()  # order_by fields when the column sorts the list


@dataclass(frozen=True)
class Register:
    slug: str
    model: type
    title: str
    date_field: str  # the date the register is kept by, for the date range
    date_label: str
    columns: tuple[Column, ...]
    related: tuple[str, ...] = ("dossier__cadre", "recorded_by")

    @property
    def sorts(self) -> dict[str, tuple[str, ...]]:
        return {c.key: c.sort for c in self.columns if c.sort}

    def cells(self, entry) -> list:
        return [c.value(entry) for c in self.columns]


def _common_head(date_key: str, date_label, date_value, width: int = 11) -> tuple[Column, ...]:
    return (
        Column("serial", _("流水号"), lambda e: e.serial, 8, ("serial",)),
        Column("date", date_label, date_value, width, (date_key,)),
        Column("cadre", _("干部"), lambda e: e.dossier.cadre.name, 10, ("dossier__cadre__name",)),
    )


RECORDED_BY = Column("recorded_by", _("登记人"), lambda e: person_name(e.recorded_by), 10)
RECORDED_AT = Column("recorded_at", _("登记时间"), lambda e: _moment(e.recorded_at), 17, ("recorded_at",))

REGISTERS: dict[str, Register] = {
    r.slug: r
    for r in (
        Register(
            "receipts",
            MaterialReceipt,
            _("干部档案材料接收登记表"),
            "received_on",
            _("接收日期"),
            (
                *_common_head("received_on", _("接收日期"), lambda e: _date(e.received_on)),
                Column("title", _("材料名称"), lambda e: e.material_title, 30, ("material_title",)),
                Column("pages", _("页数"), lambda e: e.pages, 6),
                Column("sender", _("送交单位或个人"), lambda e: e.sender, 20),
                Column("received_by", _("接收人"), lambda e: staff_text(e.received_by, e.recorded_by), 10),
                RECORDED_BY,
                RECORDED_AT,
            ),
        ),
        Register(
            "sendouts",
            MaterialSendOut,
            _("转出档案材料登记簿"),
            "sent_on",
            _("转出日期"),
            (
                *_common_head("sent_on", _("转出日期"), lambda e: _date(e.sent_on)),
                Column("title", _("材料名称"), lambda e: e.material_title, 30, ("material_title",)),
                Column("pages", _("页数"), lambda e: e.pages, 6),
                Column("recipient", _("接收单位"), lambda e: e.recipient, 20),
                Column("reason", _("转出原因"), lambda e: e.reason, 24),
                Column("handled_by", _("经办人"), lambda e: staff_text(e.handled_by, e.recorded_by), 10),
                RECORDED_BY,
                RECORDED_AT,
            ),
        ),
        Register(
            "uses",
            DossierUse,
            _("利用干部档案登记簿"),
            "recorded_at",
            _("利用时间"),
            (
                *_common_head("recorded_at", _("利用时间"), lambda e: _moment(e.recorded_at), 17),
                Column("kind", _("利用方式"), lambda e: e.get_kind_display(), 10, ("kind",)),
                Column("user", _("利用人"), lambda e: staff_text(e.user_name, e.user), 12),
                Column("purpose", _("利用目的"), lambda e: e.purpose, 30),
                Column("approval", _("批准人/依据"), lambda e: e.approval, 14),
                Column("returned_on", _("归还日期"), lambda e: _date(e.returned_on), 11),
                RECORDED_BY,
            ),
            related=("dossier__cadre", "recorded_by", "user"),
        ),
        Register(
            "transfers",
            DossierTransfer,
            _("档案传递登记簿"),
            "sent_on",
            _("转递日期"),
            (
                *_common_head("sent_on", _("转递日期"), lambda e: _date(e.sent_on)),
                Column("from_unit", _("转出单位"), lambda e: e.from_unit, 20),
                Column("to_unit", _("接收单位"), lambda e: e.to_unit, 20, ("to_unit",)),
                Column("method", _("转递方式"), lambda e: e.get_method_display(), 10),
                Column("reason", _("转递原因"), lambda e: e.reason, 20),
                Column("receipt", _("回执退回日期"), lambda e: _date(e.receipt_returned_on), 12, ("receipt_returned_on",)),
                RECORDED_BY,
                RECORDED_AT,
            ),
        ),
        Register(
            "weedings",
            MaterialWeeding,
            _("剔除材料登记簿"),
            "weeded_on",
            _("剔除日期"),
            (
                *_common_head("weeded_on", _("剔除日期"), lambda e: _date(e.weeded_on)),
                Column("title", _("材料名称"), lambda e: e.material_title, 30, ("material_title",)),
                Column("reason", _("剔除原因"), lambda e: e.reason, 24),
                Column("approved_by", _("批准人"), lambda e: e.approved_by, 10),
                RECORDED_BY,
                RECORDED_AT,
            ),
        ),
    )
}
DEFAULT_REGISTER = "uses"
DEFAULT_SORT = "-serial"
