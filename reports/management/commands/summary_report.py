from pathlib import Path

from django.core.management.base import BaseCommand

from reports import pdf, selectors

from ._common import get_campaign


class Command(BaseCommand):
    help = "生成专项审核批次的工作总结报告 PDF"

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--out", required=True, help="输出文件（.pdf）")

    def handle(self, *args, campaign_id, out, **options):
        campaign = get_campaign(campaign_id)
        content = pdf.render_summary_report(selectors.summary_report(campaign))
        Path(out).write_bytes(content)
        self.stdout.write(f"已生成 {out}（{len(content)} 字节）")
