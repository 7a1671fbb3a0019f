"""A SQLite backup made as the README says, restored as the README says, holds the same records
and verifies its audit log, checkpoints included (issue 11, item 10)."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from archives.audit_log import audit_log_append
from archives.models import AuditLogEntry
from archives.tests.factories import CadreFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # the backup copies committed pages


def tables():
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})


def rows(conn, table):
    return conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()  # noqa: S608 (table names from the models)


def restore(backup: Path, where: Path) -> Path:
    """README: stop the service, copy the backup over the database file, start it again."""
    where.mkdir()
    target = where / "db.sqlite3"
    shutil.copyfile(backup, target)
    return target


def manage_on(database: Path, settings, *args):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "AUDIT_LOG_KEY": settings.AUDIT_LOG_KEY,
        "AUDIT_LOG_CHECKPOINT_DIR": str(settings.AUDIT_LOG_CHECKPOINT_DIR),
        "DJANGO_DEBUG": "1",
    }
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)  # noqa: S603 (our interpreter, fixed arguments)


def backup(out: Path) -> str:
    stdout = StringIO()
    call_command("backup_sqlite", str(out), stdout=stdout)
    return stdout.getvalue()


@pytest.fixture(autouse=True)
def _sqlite_only(request):
    if connection.vendor != "sqlite" and request.node.get_closest_marker("postgres") is None:
        pytest.skip("backup_sqlite copies a SQLite database; PostgreSQL is backed up with pg_dump (README)")


def test_a_restored_backup_holds_the_same_records_and_verifies_its_audit_log(archivist, settings, tmp_path):
    for cadre in CadreFactory.create_batch(3):
        audit_log_append(actor=archivist, action=AuditLogEntry.Action.DOSSIER_OPEN, summary="查阅", obj=cadre.dossier)
    call_command("audit_log_checkpoint", stdout=StringIO())
    output = backup(tmp_path / "backup.sqlite3")
    assert "审计日志 3 条" in output and "完整性检查通过" in output
    assert stat.S_IMODE(os.stat(tmp_path / "backup.sqlite3").st_mode) == 0o600

    restored = restore(tmp_path / "backup.sqlite3", tmp_path / "restored")
    copy = sqlite3.connect(restored, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    connection.ensure_connection()
    live = connection.connection
    for table in tables():
        assert rows(copy, table) == rows(live, table), table
    copy.close()

    result = manage_on(restored, settings, "verify_audit_log")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "审计日志完整：共 3 条" in result.stdout and "与 1 个检查点一致" in result.stdout
    assert manage_on(restored, settings, "migrate", "--check").returncode == 0  # nothing to apply


def test_after_restoring_an_older_backup_the_later_checkpoints_name_what_was_lost(archivist, settings, tmp_path):
    audit_log_append(actor=archivist, action=AuditLogEntry.Action.LOGIN, summary="登录")
    backup(tmp_path / "backup.sqlite3")
    audit_log_append(actor=archivist, action=AuditLogEntry.Action.LOGIN, summary="登录")
    call_command("audit_log_checkpoint", stdout=StringIO())
    restored = restore(tmp_path / "backup.sqlite3", tmp_path / "restored")

    result = manage_on(restored, settings, "verify_audit_log")
    assert result.returncode == 1 and "第 2 条" in result.stdout and "现只有 1 条" in result.stdout
    # README: once the loss is recorded, set the later checkpoints aside; the restored log verifies.
    aside = settings.AUDIT_LOG_CHECKPOINT_DIR / "after-restore"
    aside.mkdir()
    for path in settings.AUDIT_LOG_CHECKPOINT_DIR.glob("audit-log-*.json"):
        path.rename(aside / path.name)
    assert manage_on(restored, settings, "verify_audit_log").returncode == 0


def test_the_backup_never_overwrites(tmp_path):
    (tmp_path / "exists.sqlite3").write_text("an older backup")
    with pytest.raises(CommandError, match="已存在"):
        backup(tmp_path / "exists.sqlite3")
    assert (tmp_path / "exists.sqlite3").read_text() == "an older backup"


@pytest.mark.postgres
def test_on_postgresql_it_refuses_and_points_to_pg_dump(tmp_path):
    with pytest.raises(CommandError, match="pg_dump"):
        backup(tmp_path / "backup.sqlite3")
    assert not (tmp_path / "backup.sqlite3").exists()
