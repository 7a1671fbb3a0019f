"""backup_sqlite OUT: a consistent copy of the SQLite database, safe while the product runs
(SQLite's online backup API through Django's own connection), readable by its owner only."""

import os
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "在运行中安全地备份 SQLite 数据库到 OUT（SQLite 在线备份接口；仅所有者可读）；PostgreSQL 请用 pg_dump（见 README）"

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件路径（不得已存在）")

    def handle(self, *args, **options):
        if connection.vendor != "sqlite":
            raise CommandError("backup_sqlite 只用于 SQLite；PostgreSQL 请用 pg_dump -Fc（见 README「备份与恢复」）")
        out = Path(options["out"])
        try:
            # Created here, empty and 0600, before SQLite writes a byte: the copy holds dossiers.
            os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise CommandError(f"{out} 已存在：不覆盖已有备份") from None
        except OSError as exc:
            raise CommandError(f"无法创建 {out}：{exc.strerror}") from None
        try:
            check, entries = self._copy(out)
        except BaseException:
            out.unlink(missing_ok=True)  # never leave a partial copy that looks like a backup
            raise
        if check != "ok":
            out.unlink(missing_ok=True)
            raise CommandError(f"备份文件完整性检查未通过：{check}")
        self.stdout.write(f"已备份到 {out}（{out.stat().st_size} 字节，审计日志 {entries} 条；完整性检查通过）")

    def _copy(self, out: Path) -> tuple[str, int]:
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            # Pages are copied under SQLite's own locking: writers wait, nothing half-written.
            connection.connection.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            entries = target.execute("SELECT COUNT(*) FROM archives_auditlogentry").fetchone()[0]
        finally:
            target.close()
        return check, entries
