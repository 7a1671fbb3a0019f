"""Benchmark of report generation, printed against the renderer alone measured in the same run.

    .venv/bin/python bench/bench_reports.py [--cases 10000] [--discrepancies 30000] [--small 1000]

On a fresh SQLite database in a temporary folder, builds a campaign of 10,000 dossiers with
30,000 discrepancies (and a small one of 1,000 dossiers with 3,000), then measures:

1. the summary report PDF, end to end (selector + renderer), next to the renderer alone on
   the same precomputed numbers;
2. the workbook, end to end (selectors + writer), next to the writer alone on the same data;
3. the number of queries of each selector at both sizes: it must be the same.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RANKS = ["正处级", "副处级", "正科级", "副科级", "科员", "办事员"]
UNITS = ["组织部", "宣传部", "财政局", "教育局", "卫健委", "自然资源局", "党政办", "农业农村局", "人社局", "城关镇", "东城镇", "西河乡"]
RULES = {
    "age": ["AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED", "AGE-ID"],
    "work": ["WORK-EARLIEST", "WORK-DISAGREE", "WORK-UNDER-16"],
    "party": ["PARTY-VOLUNTEER", "PARTY-DISAGREE", "PARTY-NO-APPLICATION", "PARTY-UNDER-18"],
    "education": ["EDU-UNVERIFIED", "EDU-UNSUPPORTED"],
    "experience": ["EXP-NO-PROOF", "EXP-GAP", "EXP-OVERLAP"],
}
STATES = ["pending", "registered", "registered", "determined", "corrected", "corrected", "dismissed", "withdrawn"]
CASE_STATES = ["initial_review", "re_review", "chief_check", "leader_check", "rectification", "closed", "closed"]


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dossier_audit.settings"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(name: str, cases: int, discrepancies: int, seed: int, offset: int):
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from archives.dates import PartialDate
    from archives.models import Cadre, Dossier, Unit
    from audits.models import AuditCase, Campaign, Discrepancy

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        root, _ = Unit.objects.get_or_create(name="某县", parent=None)
        units = [Unit.objects.get_or_create(name=u, parent=root)[0] for u in UNITS]
        users = [get_user_model().objects.get_or_create(username=f"auditor{i}", defaults={"first_name": f"审核员{i}"})[0] for i in range(8)]
        campaign = Campaign.objects.create(name=name)
        cadres = Cadre.objects.bulk_create(
            [
                Cadre(
                    name=f"干部{offset + i}",
                    gender="男",
                    id_number=f"{341100000000000000 + offset + i}",  # unique; the bench never validates
                    unit=units[i % len(units)],
                    rank=rng.choice(RANKS),
                    position="科员",
                    birth_date=PartialDate(1975, 3, 12),
                    work_start_date=PartialDate(1995, 7),
                )
                for i in range(cases)
            ],
            batch_size=2000,
        )
        dossiers = Dossier.objects.bulk_create([Dossier(cadre=c) for c in cadres], batch_size=2000)
        audit_cases = AuditCase.objects.bulk_create(
            [
                AuditCase(
                    campaign=campaign,
                    dossier=d,
                    state=rng.choice(CASE_STATES),
                    initial_reviewer=users[i % 8],
                    re_reviewer=users[(i + 1) % 8],
                    initial_reviewed_at=now,
                    re_reviewed_at=now if i % 3 else None,
                )
                for i, d in enumerate(dossiers)
            ],
            batch_size=2000,
        )
        rows = []
        for i in range(discrepancies):
            category = rng.choice(list(RULES))
            rule = rng.choice(RULES[category])
            rows.append(
                Discrepancy(
                    case=rng.choice(audit_cases),
                    category=category,
                    source="system",
                    rule=rule,
                    subject=str(i),
                    state=rng.choice(STATES),
                    description=f"{rule} 发现的问题 {i}" if i % 97 else f'=HYPERLINK("x") {i}',
                    current_value="1975.03.12",
                    created_by=users[i % 8],
                )
            )
        Discrepancy.objects.bulk_create(rows, batch_size=5000)
    return campaign


def timed(fn, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--discrepancies", type=int, default=30_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from reports import pdf, selectors, sheet_pdf, workbook

        print(f"building campaigns: {args.small} and {args.cases} dossiers …", flush=True)
        t0 = time.perf_counter()
        small = build("小批次", args.small, args.small * 3, seed=1, offset=0)
        large = build("大批次", args.cases, args.discrepancies, seed=2, offset=args.small)
        print(f"  built in {time.perf_counter() - t0:.1f} s")

        def summary_end_to_end():
            return pdf.render_summary_report(selectors.summary_report(large))

        report = selectors.summary_report(large)
        end_pdf, content = timed(summary_end_to_end, args.repeat)
        render_pdf, _ = timed(lambda: pdf.render_summary_report(report), args.repeat)

        def workbook_end_to_end():
            buffer = io.BytesIO()
            workbook.write_workbook(selectors.workbook_data(large), buffer)
            return buffer.getvalue()

        data = selectors.workbook_data(large)

        def workbook_render_only():
            buffer = io.BytesIO()
            workbook.write_workbook(data, buffer)
            return buffer.getvalue()

        end_xlsx, book = timed(workbook_end_to_end, args.repeat)
        render_xlsx, _ = timed(workbook_render_only, args.repeat)

        print()
        print(f"campaign: {report.statistics.total_cases} dossiers, {report.statistics.discrepancies} counted discrepancies ({args.discrepancies} in all)")
        print(f"{'document':<26}{'end to end':>12}{'renderer alone':>16}{'ratio':>8}{'size':>12}")
        print(f"{'summary report PDF':<26}{end_pdf:>11.3f}s{render_pdf:>15.3f}s{end_pdf / render_pdf:>7.2f}x{len(content) / 1024:>9.0f} KiB")
        print(f"{'workbook (xlsx)':<26}{end_xlsx:>11.3f}s{render_xlsx:>15.3f}s{end_xlsx / render_xlsx:>7.2f}x{len(book) / 1024:>9.0f} KiB")

        print()
        print(f"{'selector':<28}{f'{args.small} dossiers':>16}{f'{args.cases} dossiers':>18}")
        for label, fn in (
            ("campaign_statistics", selectors.campaign_statistics),
            ("summary_report", selectors.summary_report),
            ("workbook_data", selectors.workbook_data),
            ("determination_sheets", selectors.determination_sheets),
        ):
            a, b = count_queries(lambda fn=fn: fn(small)), count_queries(lambda fn=fn: fn(large))
            print(f"{label:<28}{a:>16}{b:>18}{'' if a == b else '   GROWS'}")

        sheets = selectors.determination_sheets(small)
        start = time.perf_counter()
        pages = sheet_pdf.render_determination_sheets(sheets)
        print()
        print(f"认定表 batch of {len(sheets)} cases: {time.perf_counter() - start:.2f} s renderer, {len(pages) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
