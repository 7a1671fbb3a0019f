"""The tamper-evident audit trail: append one entry, and verify the whole chain.

Each entry's hash is an HMAC-SHA256, keyed with ``settings.AUDIT_LOG_KEY``, over its content and
the previous entry's hash. The key is kept in the environment, never in the database, so whoever
can write to the database but lacks the key cannot recompute the chain after altering, deleting
or renumbering an entry. Whoever holds the key could; against that, signed checkpoints (count and
last hash, written outside the database: ``audit_log_checkpoints``) anchor what the log already
held, and ``audit_log_verify`` checks them too.

The serial number comes from a locked counter, so entries are gap-free and ordered even under
concurrent writers. An entry is written in the same transaction as the action it records: no
action without its entry, no entry for an action that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuditLogEntry, RegisterCounter

GENESIS = "0" * 64
COUNTER = "audit_log"
SCHEME = "hmac-sha256"


def _payload(*, seq, at, actor_id, actor_name, action, object_type, object_id, summary, data, prev_hash) -> bytes:
    # Frozen: migration 0008 re-signs the pre-HMAC chain with a copy of this very layout.
    return json.dumps(
        [seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), actor_id, actor_name, action, object_type, object_id, summary, data, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def entry_payload(entry: AuditLogEntry) -> bytes:
    """The bytes an entry's hash covers: its content and the previous entry's hash."""
    return _payload(
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


def audit_log_mac(message: bytes) -> str:
    """HMAC-SHA256 under AUDIT_LOG_KEY, hex."""
    return hmac.new(settings.AUDIT_LOG_KEY.encode(), message, hashlib.sha256).hexdigest()


def entry_digest(entry: AuditLogEntry) -> str:
    return audit_log_mac(entry_payload(entry))


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
    """The first entry found altered or missing; ``seq`` is None for a problem with no entry
    to name (a checkpoint file that is not genuine)."""

    seq: int | None
    reason: str

    def __str__(self):
        return self.reason if self.seq is None else f"第 {self.seq} 条：{self.reason}"


@dataclass
class AuditLogReport:
    """What one verification saw: the entries checked, the last one's hash, the checkpoints
    compared, and the first problem (None when the log is intact)."""

    checked: int = 0
    last_hash: str = GENESIS
    # Entries 1..good are known sound: all checked ones, or up to the last checkpoint that held.
    good: int = 0
    problem: ChainProblem | None = None
    checkpoints: list = field(default_factory=list)


def _walk_chain(report: AuditLogReport, wanted: set[int]) -> dict[int, str]:
    """Walk the chain in order, filling ``report``; return the hashes at the ``wanted`` serials."""
    # Read the counter first: every entry it counts was committed before, so is visible to the
    # walk below; entries appended meanwhile are simply walked too (or not), never reported missing.
    issued = RegisterCounter.objects.filter(register=COUNTER).values_list("value", flat=True).first() or 0
    found: dict[int, str] = {}
    expected_seq, prev_hash = 1, GENESIS
    for entry in AuditLogEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            report.problem = ChainProblem(expected_seq, f"记录缺失（下一条现存记录为第 {entry.seq} 条）")
            return found
        if entry.prev_hash != prev_hash:
            report.problem = ChainProblem(entry.seq, "与前一条记录的哈希不衔接（前一条被改动或删除）")
            return found
        if not hmac.compare_digest(entry_digest(entry), entry.entry_hash):
            hint = "；若自第 1 条起即不符，请先确认 AUDIT_LOG_KEY 与写入时相同" if entry.seq == 1 else ""
            report.problem = ChainProblem(entry.seq, f"记录内容被改动（签名不符{hint}）")
            return found
        if entry.seq in wanted:
            found[entry.seq] = entry.entry_hash
        prev_hash, expected_seq = entry.entry_hash, expected_seq + 1
        report.checked, report.last_hash = entry.seq, entry.entry_hash
    if issued >= expected_seq:
        report.problem = ChainProblem(expected_seq, f"记录缺失（已登记到第 {issued} 条）")
    return found


def audit_log_check(*, use_checkpoints: bool = True) -> AuditLogReport:
    """Verify the chain and, unless told not to, the signed checkpoints outside the database.

    The problem reported is the earliest one: a chain problem at entry k, unless a checkpoint
    before k disagrees with the entry it recorded (an entry deleted and the later ones renumbered
    and re-signed) or a checkpoint counts more entries than the chain holds (a truncated tail).
    """
    from .audit_log_checkpoints import checkpoints_read

    report = AuditLogReport()
    checkpoints, bad_files = checkpoints_read() if use_checkpoints else ([], [])
    report.checkpoints = checkpoints
    found = _walk_chain(report, {cp.seq for cp in checkpoints})
    report.good = report.checked
    if bad_files:
        report.problem = ChainProblem(None, bad_files[0])
        return report
    reach = report.problem.seq if report.problem is not None else None
    previous = 0
    for cp in checkpoints:  # in order of serial number
        if reach is not None and cp.seq >= reach:
            break
        if cp.seq > report.checked:
            report.problem = ChainProblem(report.checked + 1, f"记录缺失（检查点 {cp.label}记载已有 {cp.seq} 条，现只有 {report.checked} 条）")
            break
        if cp.seq and not hmac.compare_digest(found.get(cp.seq, ""), cp.last_hash):
            report.problem = ChainProblem(
                cp.seq,
                f"与检查点 {cp.label}记载的哈希不符（第 {previous + 1}–{cp.seq} 条之间有记录被改动、删除或重新编号）",
            )
            report.good = previous
            break
        previous = cp.seq
    return report


def audit_log_verify() -> tuple[int, ChainProblem | None]:
    """How many entries were checked and the first problem (chain and checkpoints)."""
    report = audit_log_check()
    return report.checked, report.problem
