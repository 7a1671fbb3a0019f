"""import_workbook {roster,materials,resume} FILE [--dry-run] (INTERFACES.md)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archives.models import Cadre, CadreInfoChange, ImportJob, Material

from .import_helpers import id_for, material_row, roster_row, write

pytestmark = pytest.mark.django_db


def command(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_workbook", *args, stdout=out, stderr=err)
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def test_a_valid_file_imports_and_exits_0(tmp_path):
    code, out, _err = command("roster", str(write(tmp_path / "r.xlsx", "roster", [roster_row(1), roster_row(2)])))
    assert code == 0
    assert "干部名册：新增 2 条，更新 0 条，不变 0 条" in out
    assert Cadre.objects.count() == 2
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED and job.created_by is None and job.file_name == "r.xlsx"


def test_invalid_data_prints_every_error_one_per_line_writes_nothing_and_exits_1(tmp_path):
    rows = [roster_row(1, 职级="处长"), roster_row(2), roster_row(3, 出生日期="1975.13", 性别="女")]
    code, out, err = command("roster", str(write(tmp_path / "r.xlsx", "roster", rows)))
    assert code == 1
    assert out.splitlines() == [
        "第2行 职级: 职级“处长”不在可选范围内（正处级、副处级、正科级、副科级、科员、办事员、其他）",
        "第4行 出生日期: “1975.13”不是有效日期：月份 13 不存在",
        "第4行 性别: 性别“女”与身份证号不一致（身份证号第17位表示男性）",
    ]
    assert "未导入任何数据" in err
    assert not Cadre.objects.exists() and not ImportJob.objects.exists()


def test_an_unreadable_file_exits_2(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    code, _out, err = command("roster", str(bad))
    assert code == 2 and "不是 Excel 工作簿" in err
    code, _out, err = command("roster", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "不存在" in err


def test_an_oversized_file_exits_2(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    code, _out, err = command("roster", str(write(tmp_path / "r.xlsx", "roster", [roster_row(1)])))
    assert code == 2 and "超过上限" in err


def test_dry_run_validates_and_writes_nothing(tmp_path):
    code, out, _err = command("roster", str(write(tmp_path / "r.xlsx", "roster", [roster_row(1)])), "--dry-run")
    assert code == 0 and "试运行" in out and "新增 1 条" in out
    assert not Cadre.objects.exists() and not ImportJob.objects.exists()


def test_a_second_run_changes_nothing_and_a_changed_file_keeps_history(tmp_path, archivist):
    path = write(tmp_path / "r.xlsx", "roster", [roster_row(1)])
    command("roster", str(path))
    code, out, _err = command("roster", str(path))
    assert code == 0 and "新增 0 条，更新 0 条，不变 1 条" in out
    changed = write(tmp_path / "r2.xlsx", "roster", [roster_row(1, 职务="副局长")])
    command("roster", str(changed), "--user", "archivist")
    change = CadreInfoChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by) == ("科员", "副局长", archivist)
    assert change.source_ref == str(ImportJob.objects.latest("pk").pk)


def test_materials_name_unknown_cadres_as_errors(tmp_path):
    code, out, _err = command("materials", str(write(tmp_path / "m.xlsx", "materials", [material_row(5)])))
    assert code == 1 and out.strip() == f"第2行 身份证号: 身份证号 {id_for(5)} 不在干部名册中（系统中没有该干部），请先导入干部名册"
    assert not Material.objects.exists()


def test_the_exit_status_reaches_the_shell(tmp_path):
    """Run as operators do, in a process of its own (its own database: exit status only)."""
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    root = Path(__file__).resolve().parents[2]
    env_db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = subprocess.run(  # noqa: S603 (fixed arguments: our own manage.py)
        [sys.executable, str(root / "manage.py"), "import_workbook", "roster", str(bad)],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": env_db, "DJANGO_SETTINGS_MODULE": "dossier_audit.settings"},
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "损坏" in result.stderr
