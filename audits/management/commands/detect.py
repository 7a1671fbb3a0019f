"""``python manage.py detect CAMPAIGN_ID [--json]`` (INTERFACES.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from audits.detection.engine import detect_campaign
from audits.detection.selectors import LISTED_STATES, current_findings
from audits.models import Campaign, Category


class Command(BaseCommand):
    help = "对批次运行系统比对（自动发现问题），并按问题类别输出数量；--json 时逐行输出每个现有问题"

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--json", action="store_true", help="每个系统比对问题（系统撤销的除外）输出一行 JSON，含核实状态")

    def handle(self, *args, campaign_id, json: bool = False, **options):
        if not Campaign.objects.filter(pk=campaign_id).exists():
            raise CommandError(f"批次 {campaign_id} 不存在")
        result = detect_campaign(campaign_id=campaign_id)
        if json:
            for finding in current_findings(campaign_id=campaign_id, states=LISTED_STATES):
                self.stdout.write(_dumps(finding))
            return
        self.stdout.write(f"系统比对完成：检查 {result.cases} 卷，用时 {result.seconds:.1f} 秒")
        for category in Category:
            self.stdout.write(
                f"{category.label}（{category.value}）：{result.current.get(category.value, 0)} 个问题"
                f"（本次新增 {result.created.get(category.value, 0)}，撤销 {result.withdrawn.get(category.value, 0)}）"
            )
        self.stdout.write(f"合计：{sum(result.current.values())} 个问题（本次新增 {sum(result.created.values())}，撤销 {sum(result.withdrawn.values())}）")


def _dumps(finding: dict) -> str:
    return json.dumps(finding, ensure_ascii=False, sort_keys=False)
