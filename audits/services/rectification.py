"""Rectification (整改) of one discrepancy: feedback to the cadre, interviews, material requests
and their receipt, authentication and weeding. They may start as soon as a problem is
registered (DOMAIN.md: audit, feedback and material collection go on together); the
determination that settles it (认定) is in `determination.py`."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archives import services as archive_services
from archives.models import Cadre, Material

from .. import access
from ..models import (
    AuditCase,
    Discrepancy,
    Feedback,
    Interview,
    MaterialAuthentication,
    MaterialRequest,
)
from ..workflow import DiscrepancyAction
from .cases import _lock_case
from .determination import _step
from .findings import _lock_discrepancy

logger = logging.getLogger(__name__)

# --- rectification (整改) ---------------------------------------------------------------


RECTIFIABLE_STATES = Discrepancy.OPEN_STATES


def _lock_for_rectification(discrepancy: Discrepancy, user, *, expected_version=None) -> tuple[AuditCase, Discrepancy]:
    """Case and discrepancy, locked, when `user` may take a rectification step on it now: from
    the moment the problem is registered (or the system finding confirmed) until it is settled."""
    case = _lock_case(discrepancy.case_id)
    access.require(access.may_rectify(user, case))
    discrepancy = _lock_discrepancy(discrepancy, expected_version)
    access.require(access.may_rectify(user, case, discrepancy))
    return case, discrepancy


@transaction.atomic
def feedback_create(*, discrepancy: Discrepancy, user, sent_on, content: str) -> Feedback:
    """信息反馈: tell the cadre about the discrepancy (one more round)."""
    _, discrepancy = _lock_for_rectification(discrepancy, user)
    if not (content or "").strip():
        raise ValidationError("请填写反馈内容")
    last = discrepancy.feedbacks.order_by("-round").first()
    row = Feedback.objects.create(discrepancy=discrepancy, round=(last.round + 1) if last else 1, sent_on=sent_on, content=content.strip(), created_by=user)
    _step(discrepancy, user=user, action=DiscrepancyAction.FEEDBACK, comment=f"第{row.round}轮：{row.content}")
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
    _step(
        discrepancy,
        user=user,
        action=DiscrepancyAction.FEEDBACK_REPLY,
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
    _step(discrepancy, user=user, action=DiscrepancyAction.INTERVIEW, comment=f"{held_on} 约谈（{row.participants}）")
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
    _step(
        discrepancy,
        user=user,
        action=DiscrepancyAction.MATERIAL_REQUEST,
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
    _step(
        discrepancy,
        user=user,
        action=DiscrepancyAction.MATERIAL_RECEIVED,
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
    _step(
        discrepancy,
        user=user,
        action=DiscrepancyAction.AUTHENTICATE,
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
    _step(
        discrepancy,
        user=user,
        action=DiscrepancyAction.WEED,
        comment=f"剔除{material.citation()}，原因：{reason.strip()}，批准人：{approved_by.strip()}",
        changes={"material": material.pk, "weeding_serial": entry.serial},
    )
    return entry


CORRECTABLE_FIELDS = Cadre.AUDITED_FIELDS
