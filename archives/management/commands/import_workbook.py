"""import_workbook {roster,materials,resume} FILE [--dry-run] (INTERFACES.md).

Exit status: 0 imported (or valid, with --dry-run); 1 invalid data, every error printed as
``第N行 列名: 原因`` and nothing written; 2 the file cannot be read (or is refused as hostile).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archives.imports.formats import FORMATS
from archives.imports.service import WorkbookRefused, import_file


class Command(BaseCommand):
    help = "导入干部名册、档案材料目录或干部经历（.xlsx）：全部校验通过才写入，重复导入不会产生重复数据"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(FORMATS), help="roster 干部名册 / materials 档案材料目录 / resume 干部经历")
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并显示将发生的变化，不写入")
        parser.add_argument("--user", help="记为导入人的用户名（写入现有信息变更记录）")

    def handle(self, *args, kind, file, dry_run, user=None, **options):
        account = None
        if user:
            try:
                account = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"用户 {user} 不存在", returncode=2) from None
        try:
            outcome = import_file(path=file, kind=kind, user=account, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"文件 {file} 不存在", returncode=2) from None
        except WorkbookRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        analysis = outcome.analysis
        for warning in analysis.warnings:
            self.stderr.write(f"提示：{warning}")
        if not analysis.valid:
            for issue in analysis.issues:
                self.stdout.write(issue.line())
            raise CommandError(f"数据有误，共 {len(analysis.issues)} 处，未导入任何数据", returncode=1)
        for part in analysis.counts()["parts"]:
            self.stdout.write(f"{part['label']}：新增 {part['new']} 条，更新 {part['updated']} 条，不变 {part['unchanged']} 条")
        if analysis.new_units:
            self.stdout.write(f"新建单位 {len(analysis.new_units)} 个")
        if dry_run:
            self.stdout.write("试运行：校验通过，未写入任何数据")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成（导入记录 {outcome.job.pk}）"))
