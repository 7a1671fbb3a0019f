"""Benchmark of the Excel imports, printed as ratios against baselines measured in the same run.

    .venv/bin/python bench/bench_import.py [--cadres 20000] [--materials-per-cadre 10]

Generates a 20,000-cadre roster and a 200,000-row material catalogue, then measures on a fresh
SQLite database in a temporary folder:

1. openpyxl alone reading the roster (read-only, every value): the floor;
2. our roster import (read, validate every cell, compare, write) into an empty database;
3. django-import-export 4 importing the same roster into the same model (Cadre, keyed by
   身份证号, dates through a widget calling PartialDate.parse), also into an empty database;
4. our import of the 200,000-row catalogue, and its re-import (nothing changes), each in a
   child process so that its peak resident memory (getrusage ru_maxrss) is its own.

Targets: (2) within 3x of (1); (2) at least 5x faster than (3); (4) peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOWNS = ["城关镇", "东城镇", "西河乡", "南山乡", "北岭镇", "清水镇", "石桥乡", "白沙镇"]
OFFICES = ["组织部", "宣传部", "财政局", "教育局", "卫健委", "自然资源局", "党政办", "综治办", "农业农村局", "人社局"]
RANKS = ["正处级", "副处级", "正科级", "副科级", "科员", "办事员"]
EDUCATION = ["研究生", "大学本科", "大学专科", "中专", "高中"]
TITLES = [
    ("1", "干部履历表"),
    ("6", "入党志愿书"),
    ("6", "入党申请书"),
    ("4-1", "毕业生登记表"),
    ("9-1", "招工审批表"),
    ("3", "年度考核登记表"),
    ("9-2", "干部任免审批表"),
    ("2", "自传"),
    ("7", "嘉奖审批表"),
    ("10", "其他材料"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dossier_audit.settings"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


def id_number(seq: int, year: int, month: int, day: int, male: bool) -> str:
    from archives.idnumber import check_character

    order = (seq % 499) * 2 + (1 if male else 2)
    first17 = f"{341100 + seq // 499 % 99:06d}{year:04d}{month:02d}{day:02d}{order:03d}"
    return first17 + check_character(first17)


def generate(folder: Path, cadres: int, per_cadre: int) -> tuple[Path, Path]:
    from openpyxl import Workbook

    rng = random.Random(20261125)
    people = []
    roster = Workbook(write_only=True)
    sheet = roster.create_sheet("干部名册")
    sheet.append(
        [
            "姓名",
            "身份证号",
            "性别",
            "民族",
            "单位",
            "职务",
            "职级",
            "出生日期",
            "参加工作时间",
            "入党时间",
            "学历",
            "学位",
            "毕业院校",
            "专业",
            "教育类别",
            "学历认证报告编号",
        ]
    )
    for seq in range(cadres):
        year, month, day = rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28)
        male = rng.random() < 0.6
        number = id_number(seq, year, month, day, male)
        people.append((number, year))
        birth = rng.choice([f"{year}.{month:02d}.{day:02d}", f"{year}.{month:02d}", f"{year}年{month}月{day}日", f"{year}-{month}-{day}"])
        work = f"{year + rng.randint(18, 24)}.{rng.randint(1, 12):02d}"
        party = f"{min(year + rng.randint(22, 35), 2024)}.{rng.randint(1, 12):02d}" if rng.random() < 0.7 else None
        unit = f"某县/{rng.choice(TOWNS)}/{rng.choice(OFFICES)}"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        sheet.append(
            [
                name,
                number,
                "男" if male else "女",
                "汉族",
                unit,
                "科员",
                rng.choice(RANKS),
                birth,
                work,
                party,
                rng.choice(EDUCATION),
                "学士" if rng.random() < 0.4 else None,
                "某某大学",
                "汉语言文学",
                rng.choice(["全日制", "在职"]),
                f"RZ{seq:08d}" if rng.random() < 0.5 else None,
            ]
        )
    roster_path = folder / "roster.xlsx"
    roster.save(roster_path)

    catalogue = Workbook(write_only=True)
    sheet = catalogue.create_sheet("档案材料目录")
    sheet.append(["身份证号", "类别", "材料名称", "形成日期", "页数", "记载出生日期", "记载参加工作时间", "记载入党时间", "记载学历", "是否涂改", "备注"])
    for number, year in people:
        for index in range(per_cadre):
            code, title = TITLES[index % len(TITLES)]
            formed = f"{min(year + 18 + index, 2024)}.{rng.randint(1, 12):02d}"
            sheet.append([number, code, title, formed, rng.randint(1, 12), f"{year}.{rng.randint(1, 12):02d}", None, None, None, "否", None])
    catalogue_path = folder / "materials.xlsx"
    catalogue.save(catalogue_path)
    return roster_path, catalogue_path


def openpyxl_floor(path: Path) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=False)
    count = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            count += len(row)
    book.close()
    return time.perf_counter() - start


def ours(path: Path, kind: str):
    from archives.imports.service import import_file

    start = time.perf_counter()
    outcome = import_file(path=path, kind=kind)
    elapsed = time.perf_counter() - start
    assert outcome.analysis.valid, [i.line() for i in outcome.analysis.issues[:5]]
    return elapsed, outcome.analysis.counts()


def django_import_export(path: Path) -> float:
    import tablib
    from import_export import fields, resources, widgets

    from archives.dates import parse_optional
    from archives.models import Cadre, Unit

    class PartialDateWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return parse_optional(value)

        def render(self, value, obj=None, **kwargs):
            return str(value) if value else ""

    class TextWidget(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return "" if value is None else str(value).strip()

    columns = {
        "name": "姓名",
        "id_number": "身份证号",
        "gender": "性别",
        "ethnicity": "民族",
        "position": "职务",
        "rank": "职级",
        "education": "学历",
        "degree": "学位",
        "school": "毕业院校",
        "major": "专业",
        "study_mode": "教育类别",
        "verification_number": "学历认证报告编号",
    }
    dates = {"birth_date": "出生日期", "work_start_date": "参加工作时间", "party_join_date": "入党时间"}
    attrs = {attr: fields.Field(attribute=attr, column_name=header, widget=TextWidget()) for attr, header in columns.items()}
    attrs |= {attr: fields.Field(attribute=attr, column_name=header, widget=PartialDateWidget()) for attr, header in dates.items()}
    attrs["unit"] = fields.Field(attribute="unit", column_name="单位", widget=widgets.ForeignKeyWidget(Unit, field="full_name"))
    attrs["Meta"] = type("Meta", (), {"model": Cadre, "import_id_fields": ("id_number",), "fields": (*columns, *dates, "unit")})
    resource_class = type("CadreResource", (resources.ModelResource,), attrs)

    start = time.perf_counter()
    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    result = resource_class().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    elapsed = time.perf_counter() - start
    assert not result.has_errors() and not result.has_validation_errors()
    assert Cadre.objects.count() == len(dataset), (Cadre.objects.count(), len(dataset))
    return elapsed


def wipe_cadres() -> None:
    from archives.models import Cadre, CadreInfoChange, Dossier, ImportJob, Material, ResumePeriod

    Material.objects.all().delete()
    ResumePeriod.objects.all().delete()
    CadreInfoChange.objects.all().delete()
    Dossier.objects.all().delete()
    Cadre.objects.all().delete()
    ImportJob.objects.all().delete()


def child(database: Path, path: Path, kind: str) -> None:
    """Runs in its own process: one import, its time and its peak memory, as JSON."""
    setup_django(database)
    elapsed, counts = ours(path, kind)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "counts": counts}))


def run_child(database: Path, path: Path, kind: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(database), str(path), kind], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--materials-per-cadre", type=int, default=10)
    parser.add_argument("--child", nargs=3, metavar=("DB", "FILE", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        database = folder / "bench.sqlite3"
        os.environ["DJANGO_MEDIA_ROOT"] = str(folder / "media")
        setup_django(database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        import django
        import import_export
        import openpyxl

        print(
            f"Python {sys.version.split()[0]}, Django {django.get_version()}, openpyxl {openpyxl.__version__}, django-import-export {import_export.__version__}, SQLite"
        )
        start = time.perf_counter()
        roster, catalogue = generate(folder, args.cadres, args.materials_per_cadre)
        print(
            f"generated {args.cadres:,}-row roster ({roster.stat().st_size / 1e6:.1f} MB) and {args.cadres * args.materials_per_cadre:,}-row catalogue ({catalogue.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s"
        )

        floor = openpyxl_floor(roster)
        print(f"roster, openpyxl read-only read alone (floor):   {floor:7.2f} s")

        # Units first, so both importers find the same units (django-import-export cannot create them).
        first, counts = ours(roster, "roster")
        print(f"roster, our import into an empty database:       {first:7.2f} s  ({counts['new']:,} new cadres, dossiers and {counts['units_new']} units)")
        wipe_cadres()
        ours_time, counts = ours(roster, "roster")
        assert counts["new"] == args.cadres
        print(f"roster, our import (units already there):        {ours_time:7.2f} s")
        again, counts = ours(roster, "roster")
        assert counts["unchanged"] == args.cadres
        print(f"roster, our re-import of the same file:          {again:7.2f} s  (all {counts['unchanged']:,} unchanged)")
        wipe_cadres()
        theirs = django_import_export(roster)
        print(f"roster, django-import-export into the same model:{theirs:7.2f} s")
        wipe_cadres()
        ours(roster, "roster")

        first_cat = run_child(database, catalogue, "materials")
        second_cat = run_child(database, catalogue, "materials")
        catalogue_floor = openpyxl_floor(catalogue)
        rows = args.cadres * args.materials_per_cadre
        print(f"catalogue, openpyxl read-only read alone:        {catalogue_floor:7.2f} s")
        print(f"catalogue, our import of {rows:,} rows:          {first_cat['seconds']:7.2f} s  peak RSS {first_cat['peak_mb']:.0f} MB")
        print(f"catalogue, our re-import (nothing changes):      {second_cat['seconds']:7.2f} s  peak RSS {second_cat['peak_mb']:.0f} MB")
        print()
        print(f"ratio ours / openpyxl floor (roster):            {ours_time / floor:5.2f}x   (target <= 3x)")
        print(f"ratio django-import-export / ours (roster):      {theirs / ours_time:5.2f}x   (target >= 5x)")
        print(f"ratio ours / openpyxl floor (catalogue):         {first_cat['seconds'] / catalogue_floor:5.2f}x")
        print(f"peak memory, 200k-row catalogue import:          {max(first_cat['peak_mb'], second_cat['peak_mb']):5.0f} MB  (target < 500 MB)")


if __name__ == "__main__":
    main()
