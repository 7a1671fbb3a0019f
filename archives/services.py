"""Writes to the archives domain: one function per business action."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .audit_log import audit_log_append
from .models import (
    AuditLogEntry,
    Cadre,
    CadreInfoChange,
    Dossier,
    DossierTransfer,
    DossierUse,
    Material,
    MaterialReceipt,
    MaterialSendOut,
    MaterialWeeding,
    RegisterCounter,
    ResumePeriod,
    Unit,
)


def _take_serials(register: str, count: int = 1) -> int:
    """Take the next `count` serial numbers of a register (returns the first); the counter row
    is locked until commit, so numbers are gap-free and never shared."""
    counter, _ = RegisterCounter.objects.select_for_update().get_or_create(register=register)
    counter.value += count
    counter.save(update_fields=["value"])
    return counter.value - count + 1


def register_append(model, **fields):
    """Append one entry to a register (append-only, serial-numbered)."""
    with transaction.atomic():
        entry = model(serial=_take_serials(model._meta.label_lower), **fields)
        entry.full_clean(exclude=["serial"])
        entry.save()
    return entry


def display_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.full_name
    return str(value)


def cadre_record_changes(*, cadre: Cadre, old: dict, source: str, user=None, source_ref: str = "", note: str = "") -> list[CadreInfoChange]:
    """Append a history row for every tracked field whose value differs from `old`."""
    rows = []
    now = timezone.now()
    for field, before in old.items():
        after = getattr(cadre, field)
        if display_value(before) != display_value(after):
            rows.append(
                CadreInfoChange(
                    cadre=cadre,
                    field=field,
                    old_value=display_value(before),
                    new_value=display_value(after),
                    source=source,
                    source_ref=source_ref,
                    changed_by=user,
                    changed_at=now,
                    note=note,
                )
            )
    CadreInfoChange.objects.bulk_create(rows)
    if rows:
        audit_log_append(
            actor=user,
            action=AuditLogEntry.Action.INFO_CHANGE,
            obj=cadre,
            summary=f"修改现有信息（{CadreInfoChange.Source(source).label}）：" + "、".join(row.field_label for row in rows),
            data={"source_ref": source_ref, "changes": {row.field: [row.old_value, row.new_value] for row in rows}},
        )
    return rows


def snapshot(cadre: Cadre) -> dict:
    return {field: getattr(cadre, field) for field in Cadre.TRACKED_FIELDS}


@transaction.atomic
def cadre_create(*, user, **fields) -> Cadre:
    cadre = Cadre(**fields)
    cadre.full_clean()
    cadre.save()
    Dossier.objects.create(cadre=cadre)
    return cadre


@transaction.atomic
def cadre_update(*, cadre: Cadre, user, source: str = CadreInfoChange.Source.MANUAL, source_ref: str = "", note: str = "", **fields) -> list[CadreInfoChange]:
    """Change current information, keeping every old value in the cadre's history."""
    locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
    before = snapshot(locked)
    for field, value in fields.items():
        if field not in Cadre.TRACKED_FIELDS:
            raise ValidationError(f"字段 {field} 不属于现有信息")
        setattr(locked, field, value)
    locked.full_clean()
    locked.save()
    changes = cadre_record_changes(cadre=locked, old=before, source=source, user=user, source_ref=source_ref, note=note)
    cadre.refresh_from_db()
    return changes


def dossier_use_window_start(now=None):
    """The start of the window within which repeated views of a dossier by one user for one
    purpose are one opening: the working day (local midnight) by default, or the last
    DOSSIER_USE_WINDOW_HOURS hours."""
    now = now or timezone.now()
    hours = settings.DOSSIER_USE_WINDOW_HOURS
    if hours:
        return now - dt.timedelta(hours=hours)
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _opened_already(dossier_ids, user, purpose: str) -> set[int]:
    return set(
        DossierUse.objects.filter(
            dossier_id__in=list(dossier_ids), user=user, purpose=purpose, kind=DossierUse.Kind.VIEW, recorded_at__gte=dossier_use_window_start()
        ).values_list("dossier_id", flat=True)
    )


@transaction.atomic
def dossier_record_use(*, dossier: Dossier, user, purpose: str, path: str = "", kind: str = DossierUse.Kind.VIEW, approval: str = "") -> DossierUse | None:
    """Write a 利用干部档案登记簿 row (and an audit-log entry) when a user opens a dossier.

    An opening is the first view of the dossier by the user for one purpose within the window
    (`dossier_use_window_start`): showing the page again, or the redirect after an action on it,
    writes nothing more (returns None). Other kinds of use (借阅, 摘抄复制 …) are always written."""
    if kind == DossierUse.Kind.VIEW and _opened_already([dossier.pk], user, purpose):
        return None
    audit_log_append(
        actor=user,
        action=AuditLogEntry.Action.DOSSIER_OPEN,
        obj=dossier,
        summary=f"查阅档案（干部编号 {dossier.cadre_id}）：{purpose}",
        data={"path": path[:300]},
    )
    return register_append(
        DossierUse,
        dossier=dossier,
        recorded_by=user,
        kind=kind,
        user=user,
        user_name=(user.get_full_name() or user.username),
        purpose=purpose,
        approval=approval,
        path=path[:300],
    )


@transaction.atomic
def dossier_record_uses(*, dossier_ids, user, purpose: str, path: str = "") -> int:
    """The same as dossier_record_use for many dossiers opened at once (a batch of 认定表, a
    workbook naming cadres): one usage-register row for each dossier not yet opened for this
    purpose in the window, one audit-log entry for the batch, a fixed number of queries."""
    wanted = set(dossier_ids)
    dossier_ids = sorted(wanted - _opened_already(wanted, user, purpose)) if wanted else []
    if not dossier_ids:
        return 0
    first = _take_serials(DossierUse._meta.label_lower, len(dossier_ids))
    name = user.get_full_name() or user.username
    DossierUse.objects.bulk_create(
        [
            DossierUse(
                serial=first + i, dossier_id=pk, recorded_by=user, kind=DossierUse.Kind.VIEW, user=user, user_name=name, purpose=purpose, path=path[:300]
            )
            for i, pk in enumerate(dossier_ids)
        ],
        batch_size=1000,
    )
    audit_log_append(
        actor=user,
        action=AuditLogEntry.Action.DOSSIER_OPEN,
        summary=f"批量查阅 {len(dossier_ids)} 卷档案：{purpose}",
        data={"dossiers": dossier_ids, "path": path[:300]},
    )
    return len(dossier_ids)


def material_receive(
    *, dossier: Dossier, user, material: Material | None, material_title: str, received_on, sender: str, pages=None, received_by: str = ""
) -> MaterialReceipt:
    return register_append(
        MaterialReceipt,
        dossier=dossier,
        recorded_by=user,
        material=material,
        material_title=material_title,
        received_on=received_on,
        sender=sender,
        pages=pages,
        received_by=received_by or (user.get_full_name() or user.username),
    )


@transaction.atomic
def material_weed(*, material: Material, user, reason: str, approved_by: str, weeded_on=None) -> MaterialWeeding:
    """剔除: remove a material that must not be filed; the register keeps its trace."""
    if material.weeded_at:
        raise ValidationError("该材料已剔除")
    if not reason.strip():
        raise ValidationError("剔除材料必须填写原因")
    if not approved_by.strip():
        raise ValidationError("剔除材料必须经过批准，请填写批准人")
    entry = register_append(
        MaterialWeeding,
        dossier=material.dossier,
        recorded_by=user,
        material=material,
        material_title=str(material),
        reason=reason,
        approved_by=approved_by,
        weeded_on=weeded_on or timezone.localdate(),
    )
    material.weeded_at = timezone.now()
    material.save(update_fields=["weeded_at"])
    return entry


@transaction.atomic
def dossier_transfer(*, dossier: Dossier, user, from_unit: str, to_unit: str, sent_on, method: str, reason: str = "") -> DossierTransfer:
    if method not in DossierTransfer.Method.values:
        raise ValidationError("档案只能通过机要交通或专人送取转递，严禁邮寄")
    entry = register_append(
        DossierTransfer,
        dossier=dossier,
        recorded_by=user,
        from_unit=from_unit,
        to_unit=to_unit,
        sent_on=sent_on,
        method=method,
        reason=reason,
    )
    Dossier.objects.filter(pk=dossier.pk).update(custody=Dossier.Custody.TRANSFERRED)
    return entry


@transaction.atomic
def material_create(*, dossier: Dossier, user, sender: str, received_on, **fields) -> Material:
    """File a new material in a dossier and register its receipt (接收登记)."""
    material = Material(dossier=dossier, **fields)
    material.full_clean()
    material.save()
    material_receive(
        dossier=dossier,
        user=user,
        material=material,
        material_title=material.title,
        received_on=received_on,
        sender=sender,
        pages=material.pages,
    )
    return material


def material_send_out(*, dossier: Dossier, user, material_title: str, sent_on, recipient: str, pages=None, reason: str = "") -> MaterialSendOut:
    """转出: a material sent to another unit (e.g. one that belongs in another dossier)."""
    return register_append(
        MaterialSendOut,
        dossier=dossier,
        recorded_by=user,
        material_title=material_title,
        sent_on=sent_on,
        recipient=recipient,
        pages=pages,
        reason=reason,
        handled_by=user.get_full_name() or user.username,
    )


@transaction.atomic
def dossier_lend(*, dossier: Dossier, user, borrower: str, purpose: str, approval: str) -> DossierUse:
    """借阅: the paper dossier leaves the store with an approval."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.custody != Dossier.Custody.IN_STORE:
        raise ValidationError(f"档案当前为“{locked.get_custody_display()}”状态，不能借出")
    if not approval.strip():
        raise ValidationError("借阅档案必须有批准人")
    entry = register_append(
        DossierUse,
        dossier=locked,
        recorded_by=user,
        kind=DossierUse.Kind.BORROW,
        user=None,
        user_name=borrower,
        purpose=purpose,
        approval=approval,
    )
    locked.custody = Dossier.Custody.LENT
    locked.save(update_fields=["custody"])
    return entry


@transaction.atomic
def dossier_return(*, dossier: Dossier, user, returned_on=None) -> DossierUse:
    """归还: closes the open loan; the loan row gets its return date."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    loan = DossierUse.objects.filter(dossier=locked, kind=DossierUse.Kind.BORROW, returned_on__isnull=True).order_by("-serial").first()
    if locked.custody != Dossier.Custody.LENT or loan is None:
        raise ValidationError("该档案没有未归还的借阅记录")
    loan.returned_on = returned_on or timezone.localdate()
    loan.save(update_fields=["returned_on"])
    locked.custody = Dossier.Custody.IN_STORE
    locked.save(update_fields=["custody"])
    return loan


@transaction.atomic
def transfer_receipt_returned(*, transfer: DossierTransfer, user, returned_on) -> DossierTransfer:
    """回执退回: recorded once; a wrong date is corrected by a new register entry."""
    locked = DossierTransfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.receipt_returned_on:
        raise ValidationError(f"回执已于 {locked.receipt_returned_on} 登记退回")
    if returned_on < locked.sent_on:
        raise ValidationError("回执退回日期不能早于转递日期")
    locked.receipt_returned_on = returned_on
    locked.save(update_fields=["receipt_returned_on"])
    return locked


def _check_period(period: ResumePeriod) -> None:
    clash = ResumePeriod.objects.filter(cadre_id=period.cadre_id, start=period.start, kind=period.kind).exclude(pk=period.pk)
    if clash.exists():
        raise ValidationError(f"该干部已有起始时间为 {period.start} 的{period.get_kind_display()}经历；同一起始时间每种经历类型只能有一条")
    period.full_clean()


@transaction.atomic
def resume_period_create(*, cadre: Cadre, user, **fields) -> ResumePeriod:
    """Add a period to a cadre's résumé (经历), on the main line or nested in it."""
    period = ResumePeriod(cadre=cadre, **fields)
    _check_period(period)
    period.save()
    return period


@transaction.atomic
def resume_period_update(*, period: ResumePeriod, user, **fields) -> ResumePeriod:
    """Correct a period of a résumé: its dates, text, proof, or its kind (main line or nested)."""
    locked = ResumePeriod.objects.select_for_update().get(pk=period.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_period(locked)
    locked.save()
    return locked


def list_export_record(*, user, what: str, query: str, count: int) -> None:
    """An export of a list (cases, cadres, a register) leaves its trace in the audit log: who
    took which list, filtered how, how many rows. It opens no dossier: no 利用 register row."""
    audit_log_append(
        actor=user,
        action=AuditLogEntry.Action.REPORT_DOWNLOAD,
        summary=f"导出 {what}（{count} 条）",
        data={"list": str(what), "filter": query[:500], "rows": count},
    )
