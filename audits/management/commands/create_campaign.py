from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audits.services import campaign_create


class Command(BaseCommand):
    help = "新建专项审核批次：每份档案（或所列单位的档案）一个审核案卷，在审核人员中自动分配。最后一行输出批次编号。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="批次名称")
        parser.add_argument("--unit", action="append", default=[], help="审核范围内的单位（名称、全称或编号，含下级单位）；可重复")
        parser.add_argument("--auditor", action="append", default=[], help="审核人员的用户名；可重复；缺省为全部审核人员")
        parser.add_argument("--sample-rate", default="0.1", help="领导抽查比例，0 到 1，缺省 0.1")
        parser.add_argument("--force-sample-with-discrepancies", action="store_true", help="有问题的案卷全部纳入领导抽查")

    def handle(self, *args, name, unit, auditor, sample_rate, force_sample_with_discrepancies, **options):
        User = get_user_model()
        auditors = []
        for username in auditor:
            try:
                auditors.append(User.objects.get(username=username))
            except User.DoesNotExist:
                raise CommandError(f"找不到用户 {username}") from None
        try:
            rate = Decimal(sample_rate)
        except InvalidOperation:
            raise CommandError(f"抽查比例“{sample_rate}”不是数字") from None
        try:
            campaign = campaign_create(
                name=name, created_by=None, units=unit, auditors=auditors, sample_rate=rate, force_sample_with_discrepancies=force_sample_with_discrepancies
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        cases = campaign.cases.all()
        waiting = cases.filter(initial_reviewer__isnull=True).count()
        self.stdout.write(
            f"已新建批次“{campaign.name}”：{cases.count()} 个审核案卷，审核人员 {campaign.auditors.count()} 名"
            + (f"，{waiting} 个案卷待分配" if waiting else "")
        )
        self.stdout.write(str(campaign.pk))
