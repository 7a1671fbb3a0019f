"""The audit log's chain becomes an HMAC-SHA256 chain keyed with AUDIT_LOG_KEY (issue 11).

Until now each entry's hash was the public SHA-256 of its content and the previous hash, which
anybody able to write to the database could recompute after altering or deleting a row. From
now on the hash is an HMAC under AUDIT_LOG_KEY, a secret that lives in the environment only.

The existing entries are re-signed rather than left under the old scheme: a chain where some
entries may still carry a public digest could be downgraded (mark entries "old", recompute them
with SHA-256). Re-signing is only as good as the chain it starts from, so the migration first
verifies the old chain exactly as verify_audit_log did and refuses when it is broken, changing
nothing (the operator investigates with the previous release's verify_audit_log, or restores a
backup, before upgrading). After re-signing it appends one entry (action 系统维护) recording how
many entries it re-signed and the old chain's last SHA-256 hash, so the log itself says when its
earlier part was re-signed and anybody who kept that old hash can compare.

Backwards does the reverse under the same rule: verify the HMAC chain, refuse if broken, put
back the public digest (the 系统维护 entry stays, re-signed like the others).

The payload layout is a frozen copy of archives.audit_log._payload: a migration must not change
when code does.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

GENESIS = "0" * 64
COUNTER = "audit_log"


def _payload(entry) -> bytes:
    return json.dumps(
        [
            entry.seq,
            entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            entry.actor_id_value,
            entry.actor_name,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.summary,
            entry.data,
            entry.prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def _sha256(entry) -> str:
    return hashlib.sha256(_payload(entry)).hexdigest()


def _hmac(entry) -> str:
    return hmac.new(settings.AUDIT_LOG_KEY.encode(), _payload(entry), hashlib.sha256).hexdigest()


def _verify_or_refuse(AuditLogEntry, RegisterCounter, digest, scheme: str) -> tuple[int, str]:
    expected, prev = 1, GENESIS
    for entry in AuditLogEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected:
            problem = f"第 {expected} 条：记录缺失（下一条现存记录为第 {entry.seq} 条）"
        elif entry.prev_hash != prev:
            problem = f"第 {entry.seq} 条：与前一条记录的哈希不衔接"
        elif not hmac.compare_digest(digest(entry), entry.entry_hash):
            problem = f"第 {entry.seq} 条：记录内容被改动"
        else:
            prev, expected = entry.entry_hash, expected + 1
            continue
        raise RuntimeError(f"审计日志（{scheme}）已被破坏，拒绝重新签名：{problem}。未作任何改动；请先查明原因或从备份恢复。")
    issued = RegisterCounter.objects.filter(register=COUNTER).values_list("value", flat=True).first() or 0
    if issued >= expected:
        raise RuntimeError(f"审计日志（{scheme}）已被破坏，拒绝重新签名：第 {expected} 条：记录缺失（已登记到第 {issued} 条）。未作任何改动。")
    return expected - 1, prev


def _resign(AuditLogEntry, digest) -> None:
    # Batches by serial number, each read whole before it is written: no cursor stays open on
    # rows being updated, and memory stays flat however long the log is.
    prev, last = GENESIS, 0
    while batch := list(AuditLogEntry.objects.filter(seq__gt=last).order_by("seq")[:1000]):
        for entry in batch:
            entry.prev_hash = prev
            entry.entry_hash = digest(entry)
            prev = entry.entry_hash
        AuditLogEntry.objects.bulk_update(batch, ["prev_hash", "entry_hash"])
        last = batch[-1].seq


def forwards(apps, schema_editor):
    AuditLogEntry = apps.get_model("archives", "AuditLogEntry")
    RegisterCounter = apps.get_model("archives", "RegisterCounter")
    count, old_last_hash = _verify_or_refuse(AuditLogEntry, RegisterCounter, _sha256, "SHA-256")
    if count == 0:
        return  # a new installation: nothing to re-sign, nothing to record
    _resign(AuditLogEntry, _hmac)
    counter, _ = RegisterCounter.objects.select_for_update().get_or_create(register=COUNTER)
    counter.value += 1
    counter.save(update_fields=["value"])
    entry = AuditLogEntry(
        seq=counter.value,
        at=timezone.now(),
        actor_id_value=None,
        actor_name="",
        action="system",
        object_type="",
        object_id="",
        summary=f"审计日志改用密钥签名（HMAC-SHA256）：原 SHA-256 链第 1–{count} 条校验通过后重新签名",
        data={"resigned": count, "old_scheme": "sha256", "old_last_hash": old_last_hash, "scheme": "hmac-sha256"},
        prev_hash=AuditLogEntry.objects.get(seq=counter.value - 1).entry_hash,
    )
    entry.entry_hash = _hmac(entry)
    entry.save()


def backwards(apps, schema_editor):
    AuditLogEntry = apps.get_model("archives", "AuditLogEntry")
    RegisterCounter = apps.get_model("archives", "RegisterCounter")
    _verify_or_refuse(AuditLogEntry, RegisterCounter, _hmac, "HMAC-SHA256")
    _resign(AuditLogEntry, _sha256)


class Migration(migrations.Migration):
    dependencies = [("archives", "0007_period_kinds_graduation_study_mode")]

    operations = [
        migrations.AlterField(
            model_name="auditlogentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "登录"),
                    ("login_failed", "登录失败"),
                    ("logout", "退出"),
                    ("dossier_open", "查阅档案"),
                    ("info_change", "修改现有信息"),
                    ("case_transition", "案卷流转"),
                    ("report_download", "下载报告"),
                    ("import", "导入数据"),
                    ("account", "账号变更"),
                    ("system", "系统维护"),
                ],
                editable=False,
                max_length=30,
                verbose_name="事件",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
