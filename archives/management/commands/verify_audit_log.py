"""verify_audit_log [--checkpoint]: check the audit trail's HMAC chain and its signed
checkpoints (exit 0 intact, 1 broken); with --checkpoint, write a new checkpoint when intact."""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from archives.audit_log import audit_log_check
from archives.audit_log_checkpoints import checkpoint_directory, checkpoint_write


def verify_and_report(command, *, write_checkpoint: bool) -> None:
    """Shared by verify_audit_log and audit_log_checkpoint: print the verdict, exit 1 when broken;
    a checkpoint is only ever written over a log that verified (never blessing a tampered one)."""
    report = audit_log_check()
    if report.problem is not None:
        command.stdout.write(f"审计日志被破坏：{report.problem}（此前 {report.good} 条校验通过）")
        if write_checkpoint:
            command.stdout.write("未写入检查点。")
        sys.exit(1)
    command.stdout.write(f"审计日志完整：共 {report.checked} 条，哈希链校验通过。")
    if report.checkpoints:
        latest = max(report.checkpoints, key=lambda cp: cp.at)
        command.stdout.write(f"与 {len(report.checkpoints)} 个检查点一致（最近一个：{latest.label}，第 {latest.seq} 条）。")
    else:
        command.stdout.write(f"未找到检查点（{checkpoint_directory()}）：只校验了哈希链。")
    if write_checkpoint:
        path = checkpoint_write(seq=report.checked, last_hash=report.last_hash)
        command.stdout.write(f"已写入检查点：{path}（第 {report.checked} 条，{timezone.localtime():%Y-%m-%d %H:%M}）")


class Command(BaseCommand):
    help = "校验审计日志的哈希链（HMAC）与库外签名检查点，输出第一条被改动或缺失的记录；--checkpoint 在校验通过后写入新检查点"

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", action="store_true", help="校验通过后写入一个签名检查点（AUDIT_LOG_CHECKPOINT_DIR）")

    def handle(self, *args, **options):
        verify_and_report(self, write_checkpoint=options["checkpoint"])
