"""verify_audit_log: check the hash chain of the audit trail (exit 0 intact, 1 broken)."""

import sys

from django.core.management.base import BaseCommand

from archives.audit_log import audit_log_verify


class Command(BaseCommand):
    help = "校验审计日志的哈希链，输出第一条被改动或缺失的记录"

    def handle(self, *args, **options):
        checked, problem = audit_log_verify()
        if problem is None:
            self.stdout.write(f"审计日志完整：共 {checked} 条，哈希链校验通过。")
            return
        self.stdout.write(f"审计日志被破坏：{problem}（此前 {checked} 条校验通过）")
        sys.exit(1)
