"""The tamper-evident audit trail: append one entry, and verify the whole chain.

Each entry's hash covers its content and the previous entry's hash; the serial number comes
from a locked counter, so entries are gap-free and ordered even under concurrent writers.
An entry is written in the same transaction as the action it records: no action without its
entry, no entry for an action that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditLogEntry, RegisterCounter

GENESIS = "0" * 64
COUNTER = "audit_log"


def _digest(*, seq, at, actor_id, actor_name, action, object_type, object_id, summary, data, prev_hash) -> str:
    payload = json.dumps(
        [seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), actor_id, actor_name, action, object_type, object_id, summary, data, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def entry_digest(entry: AuditLogEntry) -> str:
    return _digest(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id_value,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        summary=entry.summary,
        data=entry.data,
        prev_hash=entry.prev_hash,
    )


def audit_log_append(*, actor, action: str, summary: str, obj=None, data: dict | None = None) -> AuditLogEntry:
    """Append one entry to the chain (inside the caller's transaction when there is one)."""
    with transaction.atomic():
        counter, _ = RegisterCounter.objects.select_for_update().get_or_create(register=COUNTER)
        counter.value += 1
        counter.save(update_fields=["value"])
        prev_hash = AuditLogEntry.objects.filter(seq=counter.value - 1).values_list("entry_hash", flat=True).first() or GENESIS
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        # Microseconds survive every database backend; the hash must see what the database keeps.
        entry = AuditLogEntry(
            seq=counter.value,
            at=timezone.now(),
            actor_id_value=actor.pk if authenticated else None,
            actor_name=(actor.get_full_name() or actor.username) if authenticated else "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            summary=summary[:500],
            data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
            prev_hash=prev_hash,
        )
        entry.entry_hash = entry_digest(entry)
        entry.save()
    return entry


@dataclass
class ChainProblem:
    seq: int
    reason: str

    def __str__(self):
        return f"第 {self.seq} 条：{self.reason}"


def audit_log_verify() -> tuple[int, ChainProblem | None]:
    """Walk the chain in order; return how many entries were checked and the first problem."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for entry in AuditLogEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return checked, ChainProblem(expected_seq, f"记录缺失（下一条现存记录为第 {entry.seq} 条）")
        if entry.prev_hash != prev_hash:
            return checked, ChainProblem(entry.seq, "与前一条记录的哈希不衔接（前一条被改动或删除）")
        if entry_digest(entry) != entry.entry_hash:
            return checked, ChainProblem(entry.seq, "记录内容被改动")
        prev_hash, expected_seq, checked = entry.entry_hash, expected_seq + 1, checked + 1
    issued = RegisterCounter.objects.filter(register=COUNTER).values_list("value", flat=True).first() or 0
    if issued >= expected_seq:
        return checked, ChainProblem(expected_seq, f"记录缺失（已登记到第 {issued} 条）")
    return checked, None
