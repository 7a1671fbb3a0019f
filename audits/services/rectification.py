"""Rectification (整改) of one discrepancy: feedback to the cadre, interviews, material requests
and their receipt, authentication, weeding, then determination and correction of current
information (the old value kept in the cadre's history)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archives import services as archive_services
from archives.models import Cadre, CadreInfoChange, Material
from archives.roles import Role, has_role

from ..models import (
    AuditCase,
    CaseState,
    Category,
    Discrepancy,
    Feedback,
    Interview,
    MaterialAuthentication,
    MaterialRequest,
)
from ..workflow import Action, DiscrepancyAction
from .cases import _apply, _has_open_findings, _lock_case
from .common import _refuse_recused, _require_role
from .findings import _event, _lock_discrepancy, record_state_change

logger = logging.getLogger(__name__)

# --- rectification (整改) ---------------------------------------------------------------


RECTIFIABLE_STATES = (Discrepancy.State.REGISTERED, Discrepancy.State.DETERMINED)


def _lock_for_rectification(discrepancy: Discrepancy, user, *, chief_only: bool = False, expected_version=None) -> tuple[AuditCase, Discrepancy]:
    """Case and discrepancy, locked, when `user` may take a rectification step on it now."""
    if chief_only:
        _require_role(user, Role.CHIEF, doing="认定和纠正")
    case = _lock_case(discrepancy.case_id)
    _refuse_recused(user, case)
    if not has_role(user, Role.CHIEF) and user.pk not in (case.initial_reviewer_id, case.re_reviewer_id):
        raise ValidationError("只有科长或本案卷的审核人员可以办理整改")
    if case.state == CaseState.CLOSED:
        raise ValidationError("案卷已办结，不能再办理整改")
    if case.state != CaseState.RECTIFICATION:
        raise ValidationError(f"案卷处于“{case.get_state_display()}”阶段，审核通过后才能整改")
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    if discrepancy.state not in RECTIFIABLE_STATES:
        raise ValidationError(f"该问题状态为“{discrepancy.get_state_display()}”，不需要整改")
    return case, discrepancy


@transaction.atomic
def feedback_create(*, discrepancy: Discrepancy, user, sent_on, content: str) -> Feedback:
    """信息反馈: tell the cadre about the discrepancy (one more round)."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if not (content or "").strip():
        raise ValidationError("请填写反馈内容")
    last = discrepancy.feedbacks.order_by("-round").first()
    row = Feedback.objects.create(discrepancy=discrepancy, round=(last.round + 1) if last else 1, sent_on=sent_on, content=content.strip(), created_by=user)
    _event(discrepancy, user=user, action=DiscrepancyAction.FEEDBACK, from_state=discrepancy.state, comment=f"第{row.round}轮：{row.content}")
    return row


@transaction.atomic
def feedback_record_reply(*, feedback: Feedback, user, reply: str, reply_text: str = "", replied_on=None) -> Feedback:
    """The cadre's reply to one round of feedback: agrees or disputes, with what they said."""
    _, discrepancy = _lock_for_rectification(feedback.discrepancy, user)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.reply:
        raise ValidationError(f"第{feedback.round}轮反馈已登记答复；如有新的意见，请发起新一轮反馈")
    if reply not in (Feedback.Reply.AGREES, Feedback.Reply.DISPUTES):
        raise ValidationError("请选择本人意见：无异议或有异议")
    if reply == Feedback.Reply.DISPUTES and not (reply_text or "").strip():
        raise ValidationError("本人有异议时，请记录其理由")
    feedback.reply = reply
    feedback.reply_text = (reply_text or "").strip()
    feedback.replied_on = replied_on or timezone.localdate()
    feedback.save(update_fields=["reply", "reply_text", "replied_on"])
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.FEEDBACK_REPLY,
        from_state=discrepancy.state,
        comment=f"第{feedback.round}轮：{feedback.get_reply_display()}{'，' + feedback.reply_text if feedback.reply_text else ''}",
    )
    return feedback


@transaction.atomic
def interview_record(*, discrepancy: Discrepancy, user, held_on, participants: str, minutes: str) -> Interview:
    """约谈: record a talk with the cadre."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if not (participants or "").strip() or not (minutes or "").strip():
        raise ValidationError("请填写约谈参加人员和约谈记录")
    row = Interview.objects.create(discrepancy=discrepancy, held_on=held_on, participants=participants.strip(), minutes=minutes.strip(), created_by=user)
    _event(discrepancy, user=user, action=DiscrepancyAction.INTERVIEW, from_state=discrepancy.state, comment=f"{held_on} 约谈（{row.participants}）")
    return row


@transaction.atomic
def material_request_create(*, discrepancy: Discrepancy, user, method: str, requested_material: str, due_on, requested_from: str = "") -> MaterialRequest:
    """电话催补 / 专人查补: ask for a missing material, with a due date."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if method not in MaterialRequest.Method.values:
        raise ValidationError("补充材料的方式只能是电话催补或专人查补")
    if not (requested_material or "").strip():
        raise ValidationError("请填写所需材料")
    row = MaterialRequest.objects.create(
        discrepancy=discrepancy,
        method=method,
        requested_material=requested_material.strip(),
        requested_from=(requested_from or "").strip(),
        due_on=due_on,
        created_by=user,
    )
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.MATERIAL_REQUEST,
        from_state=discrepancy.state,
        comment=f"{row.get_method_display()}：{row.requested_material}，限{due_on}前",
    )
    return row


@transaction.atomic
def material_request_receive(
    *,
    request: MaterialRequest,
    user,
    category,
    title: str,
    formed_date,
    received_on,
    sender: str,
    pages=None,
    recorded_birth_date=None,
    recorded_work_start_date=None,
    recorded_party_date=None,
    recorded_education: str = "",
    note: str = "",
) -> Material:
    """The requested material arrives: it enters the dossier and the receipt register."""
    _, discrepancy = _lock_for_rectification(request.discrepancy, user)
    request = MaterialRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != MaterialRequest.State.OPEN:
        raise ValidationError("该补充材料已登记收到")
    if not (sender or "").strip():
        raise ValidationError("请填写送交单位或个人")
    dossier = discrepancy.case.dossier
    material = Material(
        dossier=dossier,
        category=category,
        title=(title or "").strip(),
        formed_date=formed_date,
        pages=pages,
        recorded_birth_date=recorded_birth_date,
        recorded_work_start_date=recorded_work_start_date,
        recorded_party_date=recorded_party_date,
        recorded_education=recorded_education or "",
        note=note or f"整改补充（问题{discrepancy.pk}）",
    )
    material.full_clean()
    material.save()
    archive_services.material_receive(
        dossier=dossier, user=user, material=material, material_title=material.title, received_on=received_on, sender=sender.strip(), pages=pages
    )
    request.state = MaterialRequest.State.RECEIVED
    request.material = material
    request.received_on = received_on
    request.save(update_fields=["state", "material", "received_on"])
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.MATERIAL_RECEIVED,
        from_state=discrepancy.state,
        comment=f"收到{material.citation()}，送交：{sender.strip()}",
        changes={"material": material.pk, "request": request.pk},
    )
    return material


@transaction.atomic
def material_authenticate(*, discrepancy: Discrepancy, user, material: Material, result: str, note: str = "") -> MaterialAuthentication:
    """鉴别: record whether a material (usually one just received) is genuine."""
    case, discrepancy = _lock_for_rectification(discrepancy, user)
    if material.dossier_id != case.dossier_id:
        raise ValidationError("只能鉴别本档案的材料")
    if result not in MaterialAuthentication.Result.values:
        raise ValidationError("请选择鉴别结论")
    if result != MaterialAuthentication.Result.AUTHENTIC and not (note or "").strip():
        raise ValidationError("材料存疑或虚假时，请写明鉴别意见")
    row = MaterialAuthentication.objects.create(discrepancy=discrepancy, material=material, result=result, note=(note or "").strip(), authenticated_by=user)
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.AUTHENTICATE,
        from_state=discrepancy.state,
        comment=f"{material.citation()}：{row.get_result_display()}{'，' + row.note if row.note else ''}",
        changes={"material": material.pk, "result": result},
    )
    return row


@transaction.atomic
def discrepancy_weed_material(*, discrepancy: Discrepancy, user, material: Material, reason: str, approved_by: str):
    """剔除: a material that must not be filed leaves the dossier, with reason and approval."""
    case, discrepancy = _lock_for_rectification(discrepancy, user)
    if material.dossier_id != case.dossier_id:
        raise ValidationError("只能剔除本档案的材料")
    entry = archive_services.material_weed(material=material, user=user, reason=reason or "", approved_by=approved_by or "")
    _event(
        discrepancy,
        user=user,
        action=DiscrepancyAction.WEED,
        from_state=discrepancy.state,
        comment=f"剔除{material.citation()}，原因：{reason.strip()}，批准人：{approved_by.strip()}",
        changes={"material": material.pk, "weeding_serial": entry.serial},
    )
    return entry


def _close_if_resolved(case: AuditCase, user) -> None:
    """A case in rectification closes by itself when its last open discrepancy is resolved."""
    if case.state == CaseState.RECTIFICATION and not _has_open_findings(case):
        _apply(case, user=user, action=Action.CLOSE, comment="全部问题已认定或纠正，自动办结")


# Which current-information field a category's correction usually touches.
CORRECTION_FIELD = {
    Category.AGE: "birth_date",
    Category.WORK: "work_start_date",
    Category.PARTY: "party_join_date",
    Category.EDUCATION: "education",
}
CORRECTABLE_FIELDS = Cadre.AUDITED_FIELDS


def _correct(case: AuditCase, discrepancy: Discrepancy, user, changes: dict, note: str) -> list[CadreInfoChange]:
    if not changes:
        raise ValidationError("请填写要纠正的现有信息")
    values = {}
    for name, raw in changes.items():
        if name not in CORRECTABLE_FIELDS:
            raise ValidationError(f"不能通过整改修改的字段：{name}")
        values[name] = Cadre._meta.get_field(name).to_python(raw) if isinstance(raw, str) else raw
    rows = archive_services.cadre_update(
        cadre=case.dossier.cadre,
        user=user,
        source=CadreInfoChange.Source.RECTIFICATION,
        source_ref=f"问题{discrepancy.pk}",
        note=(note or "").strip() or f"依据认定值“{discrepancy.determined_value}”纠正",
        **values,
    )
    if not rows:
        raise ValidationError("纠正后的信息与现有信息相同；无需纠正的问题只需认定")
    discrepancy.corrected_at = timezone.now()
    record_state_change(
        discrepancy,
        to_state=Discrepancy.State.CORRECTED,
        user=user,
        action=DiscrepancyAction.CORRECT,
        comment=(note or "").strip(),
        changes={row.field: [row.old_value, row.new_value] for row in rows},
        fields=["corrected_at"],
    )
    return rows


@transaction.atomic
def discrepancy_determine(
    *, discrepancy: Discrepancy, user, determined_value: str, expected_version=None, comment: str = "", correction: dict | None = None
) -> Discrepancy:
    """认定: the section chief fixes the determined value (by, at) on the evidence and, when
    current information must change, corrects it in the same step (`correction`: field → value).
    The case closes by itself once every counted discrepancy is determined or corrected."""
    case, discrepancy = _lock_for_rectification(discrepancy, user, chief_only=True, expected_version=expected_version)
    if discrepancy.state != Discrepancy.State.REGISTERED:
        raise ValidationError("该问题已经认定")
    value = (determined_value or "").strip()
    if not value:
        raise ValidationError("请填写认定值")
    discrepancy.determined_value = value
    discrepancy.determined_by = user
    discrepancy.determined_at = timezone.now()
    record_state_change(
        discrepancy,
        to_state=Discrepancy.State.DETERMINED,
        user=user,
        action=DiscrepancyAction.DETERMINE,
        comment=(comment or "").strip(),
        changes={"determined_value": value},
        fields=["determined_value", "determined_by", "determined_at"],
    )
    if correction:
        _correct(case, discrepancy, user, correction, comment)
    _close_if_resolved(case, user)
    return discrepancy


@transaction.atomic
def discrepancy_correct(*, discrepancy: Discrepancy, user, changes: dict, expected_version=None, note: str = "") -> list[CadreInfoChange]:
    """纠正: change the cadre's current information after the determination (while the case is
    still in rectification); the old value stays in the cadre's history."""
    case, discrepancy = _lock_for_rectification(discrepancy, user, chief_only=True, expected_version=expected_version)
    if discrepancy.state != Discrepancy.State.DETERMINED:
        raise ValidationError("问题须先认定，才能纠正现有信息")
    rows = _correct(case, discrepancy, user, changes, note)
    _close_if_resolved(case, user)
    return rows
