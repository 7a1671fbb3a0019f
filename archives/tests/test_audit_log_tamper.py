"""The audit log cannot be rewritten without the key, and a rewrite with the key is caught by
the signed checkpoints kept outside the database (issue 11, item 3)."""

import hashlib
import importlib
import json
import os
import stat
import subprocess
import sys
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from archives.audit_log import GENESIS, audit_log_append, audit_log_check, entry_digest, entry_payload
from archives.models import AuditLogEntry, RegisterCounter

pytestmark = pytest.mark.django_db


def run(command, *args):
    out = StringIO()
    try:
        call_command(command, *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def append(n, start=0):
    for i in range(start, start + n):
        audit_log_append(actor=None, action=AuditLogEntry.Action.DOSSIER_OPEN, summary=f"查阅 {i}", data={"i": i})


def public_digest(entry):
    """What an attacker without the key can compute: the plain SHA-256 of the same content."""
    return hashlib.sha256(entry_payload(entry)).hexdigest()


def rechain(from_seq, digest):
    """Recompute every hash from ``from_seq`` on, as someone rewriting the log would."""
    prev = AuditLogEntry.objects.get(seq=from_seq - 1).entry_hash if from_seq > 1 else GENESIS
    for entry in AuditLogEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        entry.prev_hash = prev
        entry.entry_hash = digest(entry)
        entry.save(update_fields=["prev_hash", "entry_hash"])
        prev = entry.entry_hash


def delete_and_renumber(seq):
    """Delete one entry, shift every later one down and take the counter back: a gap-free log."""
    AuditLogEntry.objects.filter(seq=seq).delete()
    for entry in AuditLogEntry.objects.filter(seq__gt=seq).order_by("seq"):
        entry.seq -= 1
        entry.save(update_fields=["seq"])
    RegisterCounter.objects.filter(register="audit_log").update(value=AuditLogEntry.objects.count())


def checkpoint_files(settings):
    return sorted(settings.AUDIT_LOG_CHECKPOINT_DIR.glob("audit-log-*.json"))


def test_an_intact_log_passes_and_a_checkpoint_is_written_on_demand(settings):
    append(100)
    code, output = run("verify_audit_log")
    assert code == 0 and "共 100 条" in output and "未找到检查点" in output
    code, output = run("verify_audit_log", "--checkpoint")
    assert code == 0 and "已写入检查点" in output
    code, output = run("verify_audit_log")
    assert code == 0 and "与 1 个检查点一致" in output


def test_a_checkpoint_holds_seq_last_hash_time_and_a_signature_and_only_its_owner_reads_it(settings):
    append(3)
    assert run("audit_log_checkpoint")[0] == 0
    (path,) = checkpoint_files(settings)
    body = json.loads(path.read_text())
    assert body["seq"] == 3 and body["last_hash"] == AuditLogEntry.objects.get(seq=3).entry_hash
    assert body["at"] and len(body["mac"]) == 64 and body["scheme"] == "hmac-sha256"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_the_hash_is_keyed_so_the_public_digest_does_not_reproduce_it():
    append(1)
    entry = AuditLogEntry.objects.get()
    assert entry.entry_hash == entry_digest(entry) != public_digest(entry)


def test_rewriting_row_50_and_recomputing_every_later_hash_without_the_key_is_found():
    append(100)
    AuditLogEntry.objects.filter(seq=50).update(summary="查阅 无", data={})
    rechain(50, public_digest)
    code, output = run("verify_audit_log")
    assert code == 1
    assert "第 50 条" in output and "内容被改动" in output and "此前 49 条校验通过" in output


def test_recomputing_the_whole_chain_with_the_public_digest_is_found_at_the_first_entry():
    append(10)
    rechain(1, public_digest)
    code, output = run("verify_audit_log")
    assert code == 1 and "第 1 条" in output and "AUDIT_LOG_KEY" in output


def test_deleting_a_row_and_renumbering_without_the_key_is_found():
    append(100)
    delete_and_renumber(30)
    rechain(30, public_digest)
    code, output = run("verify_audit_log")
    assert code == 1 and "第 30 条" in output


def test_deleting_and_renumbering_even_with_the_key_is_found_by_the_checkpoint_count(settings):
    append(100)
    assert run("audit_log_checkpoint")[0] == 0
    delete_and_renumber(30)
    rechain(30, entry_digest)  # someone holding the key: the chain alone is consistent again
    assert audit_log_check(use_checkpoints=False).problem is None
    code, output = run("verify_audit_log")
    assert code == 1
    assert "第 100 条" in output and "记录缺失" in output and "已有 100 条，现只有 99 条" in output


def test_deleting_renumbering_and_appending_again_is_found_by_the_checkpoint_hash(settings):
    append(20)
    run("audit_log_checkpoint")
    append(40, start=20)
    run("audit_log_checkpoint")
    append(40, start=60)
    delete_and_renumber(30)
    rechain(30, entry_digest)
    append(1, start=100)  # the count at the checkpoints is reached again
    code, output = run("verify_audit_log")
    assert code == 1
    assert "第 60 条" in output and "哈希不符" in output and "第 21–60 条之间" in output and "此前 20 条校验通过" in output


def test_a_truncated_tail_is_found_by_the_checkpoint(settings):
    append(100)
    run("audit_log_checkpoint")
    AuditLogEntry.objects.filter(seq__gt=90).delete()
    RegisterCounter.objects.filter(register="audit_log").update(value=90)
    assert audit_log_check(use_checkpoints=False).problem is None
    code, output = run("verify_audit_log")
    assert code == 1 and "第 91 条" in output and "现只有 90 条" in output


def test_a_forged_or_altered_checkpoint_is_refused(settings):
    append(5)
    run("audit_log_checkpoint")
    (path,) = checkpoint_files(settings)
    body = json.loads(path.read_text())
    body["seq"] = 4
    path.write_text(json.dumps(body))
    code, output = run("verify_audit_log")
    assert code == 1 and path.name in output and "签名不符" in output


def test_no_checkpoint_is_written_over_a_broken_log(settings):
    append(5)
    AuditLogEntry.objects.filter(seq=2).update(summary="改")
    code, output = run("verify_audit_log", "--checkpoint")
    assert code == 1 and "未写入检查点" in output
    assert run("audit_log_checkpoint")[0] == 1
    assert checkpoint_files(settings) == []


def test_a_different_key_breaks_the_chain_from_the_first_entry(settings):
    append(3)
    settings.AUDIT_LOG_KEY = "another-key-" + "x" * 40
    code, output = run("verify_audit_log")
    assert code == 1 and "第 1 条" in output and "AUDIT_LOG_KEY" in output


# --- migration 0008: the pre-HMAC chain is verified, then re-signed ---------------------------

migration = importlib.import_module("archives.migrations.0008_audit_log_hmac_chain")


def old_sha256_chain(n):
    """Entries as the previous release wrote them: the public SHA-256 chain."""
    append(n)
    rechain(1, public_digest)


def test_the_migration_re_signs_a_verified_old_chain_and_says_so_in_the_log():
    old_sha256_chain(5)
    old_last = AuditLogEntry.objects.get(seq=5).entry_hash
    migration.forwards(django_apps, None)
    code, output = run("verify_audit_log")
    assert code == 0 and "共 6 条" in output
    note = AuditLogEntry.objects.get(seq=6)
    assert note.action == AuditLogEntry.Action.SYSTEM
    assert note.data == {"resigned": 5, "old_scheme": "sha256", "old_last_hash": old_last, "scheme": "hmac-sha256"}
    migration.backwards(django_apps, None)  # and back: the previous release's digest again
    assert all(e.entry_hash == public_digest(e) for e in AuditLogEntry.objects.all())


def test_the_migration_refuses_a_broken_old_chain_and_changes_nothing():
    old_sha256_chain(5)
    AuditLogEntry.objects.filter(seq=3).update(summary="改")
    before = list(AuditLogEntry.objects.order_by("seq").values_list("entry_hash", flat=True))
    with pytest.raises(RuntimeError, match="第 3 条"):
        migration.forwards(django_apps, None)
    assert list(AuditLogEntry.objects.order_by("seq").values_list("entry_hash", flat=True)) == before


def test_the_migration_leaves_an_empty_log_empty():
    migration.forwards(django_apps, None)
    assert not AuditLogEntry.objects.exists()


# --- settings ---------------------------------------------------------------------------------


def _import_settings(**env):
    base = {"DJANGO_DEBUG": "0", "PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": "s" * 50}
    return subprocess.run([sys.executable, "-c", "import dossier_audit.settings"], env={**base, **env}, capture_output=True, text=True, check=False)


def test_production_refuses_the_development_audit_log_key():
    result = _import_settings()
    assert result.returncode != 0 and "AUDIT_LOG_KEY" in result.stderr
    assert _import_settings(AUDIT_LOG_KEY="short").returncode != 0
    assert _import_settings(AUDIT_LOG_KEY="s" * 50).returncode != 0  # the same secret as DJANGO_SECRET_KEY
    assert _import_settings(AUDIT_LOG_KEY="k" * 40).returncode == 0
