from django.core.management.base import BaseCommand

from reports import selectors, workbook

from ._common import get_campaign


class Command(BaseCommand):
    help = "导出专项审核批次的统计工作簿（问题登记表、统计表、登记簿）"

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--out", required=True, help="输出文件（.xlsx）")

    def handle(self, *args, campaign_id, out, **options):
        campaign = get_campaign(campaign_id)
        data = selectors.workbook_data(campaign)
        workbook.write_workbook(data, out)
        self.stdout.write(f"已导出 {out}（问题 {len(data.discrepancies)} 条）")
