"""audit_log_checkpoint: verify the audit log and, when intact, write a signed checkpoint
outside the database (run daily from cron; README). Exit 0 written, 1 broken (nothing written)."""

from django.core.management.base import BaseCommand

from .verify_audit_log import verify_and_report


class Command(BaseCommand):
    help = "校验审计日志，完整时在 AUDIT_LOG_CHECKPOINT_DIR 写入签名检查点（每日由 cron 运行）"

    def handle(self, *args, **options):
        verify_and_report(self, write_checkpoint=True)
