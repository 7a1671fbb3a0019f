"""Applying imports: all or nothing, idempotent upserts, history of changed values, the
detection hook, and progress reporting."""

import pytest
from django.core.files.base import ContentFile

from archives.dates import PartialDate
from archives.imports import service
from archives.imports.progress import Progress
from archives.imports.service import import_file
from archives.models import Cadre, CadreInfoChange, Dossier, ImportJob, Material, ResumePeriod, Unit
from archives.tests.factories import CadreFactory, UnitFactory

from .import_helpers import id_for, material_row, resume_row, roster_row, write

pytestmark = pytest.mark.django_db


def run(tmp_path, kind, rows, name=None, **kwargs):
    return import_file(path=write(tmp_path / (name or f"{kind}.xlsx"), kind, rows), kind=kind, **kwargs)


def test_new_cadres_get_a_dossier_and_units_are_created_from_paths(tmp_path):
    outcome = run(tmp_path, "roster", [roster_row(1, 单位="某县/城关镇/党政办"), roster_row(2, 单位="某县/组织部")])
    assert outcome.analysis.counts()["units_new"] == 4
    assert sorted(Unit.objects.values_list("full_name", flat=True)) == ["某县", "某县/城关镇", "某县/城关镇/党政办", "某县/组织部"]
    cadre = Cadre.objects.get(id_number=id_for(1))
    assert cadre.unit.full_name == "某县/城关镇/党政办" and cadre.unit.parent.name == "城关镇"
    assert Dossier.objects.filter(cadre__in=Cadre.objects.all()).count() == 2
    assert cadre.birth_date == PartialDate(1975, 3, 12) and cadre.work_start_date == PartialDate(1995, 7)
    job = outcome.job
    assert job.status == ImportJob.Status.SUCCEEDED and job.counts["new"] == 2


def test_existing_units_are_reused(tmp_path):
    county = UnitFactory(name="某县")
    UnitFactory(name="组织部", parent=county)
    run(tmp_path, "roster", [roster_row(1)])
    assert Unit.objects.count() == 2


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    rows = [roster_row(i) for i in range(1, 6)]
    first = run(tmp_path, "roster", rows)
    before = list(Cadre.objects.order_by("pk").values())
    second = run(tmp_path, "roster", rows)
    assert second.analysis.counts() | {"parts": None} == {"rows": 5, "new": 0, "updated": 0, "unchanged": 5, "units_new": 0, "parts": None}
    assert list(Cadre.objects.order_by("pk").values()) == before
    assert not CadreInfoChange.objects.exists()
    assert first.job.pk != second.job.pk

    materials = [material_row(1), material_row(1, 材料名称="入党志愿书", 类别="第六类", 记载入党时间="2000.06"), material_row(2)]
    run(tmp_path, "materials", materials)
    again = run(tmp_path, "materials", materials)
    assert Material.objects.count() == 3 and again.analysis.counts()["unchanged"] == 3

    periods = [resume_row(1), resume_row(1, 起始时间="1999.01", 终止时间="")]
    run(tmp_path, "resume", periods)
    again = run(tmp_path, "resume", periods)
    assert ResumePeriod.objects.count() == 2 and again.analysis.counts()["unchanged"] == 2


def test_changed_roster_rows_update_current_information_and_keep_old_values(tmp_path, archivist):
    run(tmp_path, "roster", [roster_row(1), roster_row(2)])
    changed = [roster_row(1, 出生日期="1975.04", 单位="某县/宣传部", 入党时间=""), roster_row(2)]
    outcome = run(tmp_path, "roster", changed, name="second.xlsx", user=archivist)
    assert outcome.analysis.counts()["updated"] == 1 and outcome.analysis.counts()["unchanged"] == 1
    cadre = Cadre.objects.get(id_number=id_for(1))
    assert cadre.birth_date == PartialDate(1975, 4) and cadre.birth_date.precision == "month"
    assert cadre.unit.full_name == "某县/宣传部"
    assert cadre.party_join_date is None
    history = {c.field: c for c in CadreInfoChange.objects.filter(cadre=cadre)}
    assert set(history) == {"birth_date", "unit", "party_join_date"}
    birth = history["birth_date"]
    assert (birth.old_value, birth.new_value) == ("1975.03.12", "1975.04")
    assert (history["unit"].old_value, history["unit"].new_value) == ("某县/组织部", "某县/宣传部")
    assert (history["party_join_date"].old_value, history["party_join_date"].new_value) == ("2000.06", "")
    for change in history.values():
        assert change.source == CadreInfoChange.Source.IMPORT
        assert change.source_ref == str(outcome.job.pk)
        assert change.changed_by == archivist
    assert not CadreInfoChange.objects.filter(cadre__id_number=id_for(2)).exists()


def test_materials_and_resume_are_upserted_by_their_key(tmp_path):
    cadre = CadreFactory(id_number=id_for(1))
    run(tmp_path, "materials", [material_row(1, 页数=4)])
    run(tmp_path, "materials", [material_row(1, 页数=6, 是否涂改="是")], name="m2.xlsx")
    material = Material.objects.get(dossier=cadre.dossier)
    assert material.pages == 6 and material.altered is True
    run(tmp_path, "materials", [material_row(1, 形成日期="1995.07.01")], name="m3.xlsx")
    assert Material.objects.filter(dossier=cadre.dossier).count() == 2  # another date: another material

    run(tmp_path, "resume", [resume_row(1, 证明材料="")])
    run(tmp_path, "resume", [resume_row(1, 终止时间="", 证明材料="招工审批表")], name="r2.xlsx")
    period = ResumePeriod.objects.get(cadre=cadre)
    assert period.end is None and period.proof_material == "招工审批表"


def test_an_invalid_row_anywhere_writes_nothing(tmp_path):
    run(tmp_path, "roster", [roster_row(1)])
    before = list(Cadre.objects.values())
    rows = [roster_row(1, 职务="局长"), roster_row(2, 单位="新县/新局"), roster_row(3, 性别="女")]
    outcome = run(tmp_path, "roster", rows, name="bad.xlsx")
    assert not outcome.analysis.valid and outcome.job is None
    assert list(Cadre.objects.values()) == before
    assert Unit.objects.count() == 2 and not CadreInfoChange.objects.exists()
    assert ImportJob.objects.count() == 1


def test_a_failure_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    run(tmp_path, "roster", [roster_row(1)])
    analysis = service.import_analyse(path=write(tmp_path / "r2.xlsx", "roster", [roster_row(1, 职务="局长"), roster_row(2)]), kind="roster")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service.CadreInfoChange.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        service.import_apply(analysis=analysis)
    assert Cadre.objects.count() == 1 and Cadre.objects.get().position == "科员"


def test_a_dry_run_writes_nothing(tmp_path):
    outcome = run(tmp_path, "roster", [roster_row(1)], dry_run=True)
    assert outcome.analysis.valid and outcome.analysis.counts()["new"] == 1
    assert not Cadre.objects.exists() and not ImportJob.objects.exists()


def test_detection_runs_on_commit_with_the_touched_dossiers(tmp_path, monkeypatch, archivist, django_capture_on_commit_callbacks):
    import audits.detection

    calls = []
    monkeypatch.setattr(audits.detection, "detect_after_import", lambda **kw: calls.append(kw), raising=False)
    run(tmp_path, "roster", [roster_row(1), roster_row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, "roster", [roster_row(1, 职务="局长"), roster_row(2)], name="r2.xlsx", user=archivist)
    touched = Cadre.objects.get(id_number=id_for(1)).dossier.pk
    assert calls == [{"dossier_ids": {touched}, "user": archivist}]


def test_nothing_is_detected_when_nothing_changed(tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    import audits.detection

    calls = []
    monkeypatch.setattr(audits.detection, "detect_after_import", lambda **kw: calls.append(kw), raising=False)
    run(tmp_path, "roster", [roster_row(1)])
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, "roster", [roster_row(1)], name="r2.xlsx")
    assert calls == []


def test_progress_is_reported_while_reading_and_writing(tmp_path, monkeypatch, archivist):
    seen = []
    original = Progress.flush

    def recording(self, force=False):
        seen.append((self.phase, self.done, self.total))
        return original(self, force=True)

    monkeypatch.setattr(Progress, "flush", recording)
    path = write(tmp_path / "r.xlsx", "roster", [roster_row(i) for i in range(1, 1201)])
    job = ImportJob(kind="roster", file_name="r.xlsx", created_by=archivist, status=ImportJob.Status.QUEUED)
    job.file.save("r.xlsx", ContentFile(path.read_bytes()))
    service.import_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.progress_percent) == (2400, 2400, 100)
    phases = [phase for phase, _d, _t in seen]
    assert "读取并校验" in phases and "写入数据库" in phases
    done = [d for _p, d, _t in seen]
    assert done == sorted(done) and 0 < done[1] < 2400  # it moved in between, not only at the end


def test_progress_percent_is_bounded():
    job = ImportJob(progress_done=50, progress_total=200)
    assert job.progress_percent == 25
    job.progress_done = 500
    assert job.progress_percent == 100


def test_new_rows_hold_what_the_models_would_have_saved(tmp_path):
    """New rows go in with raw INSERTs: every column, defaults included, reads back as if saved."""
    run(tmp_path, "roster", [roster_row(1, 入党时间="", 学位="", 学历认证报告编号="RZ1"), roster_row(2)])
    run(tmp_path, "materials", [material_row(1, 页数=None, 是否涂改="是", 记载出生日期="1975.03.12", 备注="=注")])
    run(tmp_path, "resume", [resume_row(1, 终止时间="")])
    cadre = Cadre.objects.get(id_number=id_for(1))
    assert (cadre.name, cadre.gender, cadre.rank, cadre.unit.full_name) == ("干部1", "男", "科员", "某县/组织部")
    assert (cadre.party_join_date, cadre.degree, cadre.verification_number, cadre.user) == (None, "", "RZ1", None)
    assert cadre.created_at is not None and cadre.updated_at == cadre.created_at
    dossier = cadre.dossier
    assert (dossier.volumes, dossier.location, dossier.custody) == (1, "", Dossier.Custody.IN_STORE)
    assert set(ImportJob.objects.values_list("status", flat=True)) == {ImportJob.Status.SUCCEEDED}
    material = Material.objects.get(dossier=dossier)
    assert (material.category.code, material.title, material.formed_date) == ("1", "干部履历表", PartialDate(1995, 7))
    assert (material.pages, material.altered, material.recorded_birth_date, material.recorded_party_date) == (None, True, PartialDate(1975, 3, 12), None)
    assert (material.note, material.scan.name, material.weeded_at) == ("=注", "", None) and material.created_at is not None
    period = ResumePeriod.objects.get(cadre=cadre)
    assert (period.start, period.end, period.unit_and_post) == (PartialDate(1995, 7), None, "某县组织部科员")
    # A second import of the same files changes nothing.
    again = run(tmp_path, "roster", [roster_row(1, 入党时间="", 学位="", 学历认证报告编号="RZ1"), roster_row(2)], name="again.xlsx")
    assert again.analysis.counts()["unchanged"] == 2 and not CadreInfoChange.objects.exists()


def test_the_full_time_graduation_date_is_current_information_previewed_and_kept_in_history(tmp_path, archivist):
    run(tmp_path, "roster", [roster_row(1, 全日制毕业时间="")])
    analysis = service.import_analyse(path=write(tmp_path / "r2.xlsx", "roster", [roster_row(1, 全日制毕业时间="1995.07.01")]), kind="roster")
    preview = analysis.preview()["parts"][0]["updated"][0]
    assert preview["changes"] == [{"field": "全日制毕业时间", "old": "", "new": "1995.07.01"}]
    service.import_apply(analysis=analysis, user=archivist)
    cadre = Cadre.objects.get()
    assert cadre.full_time_graduation_date == PartialDate(1995, 7, 1)
    change = CadreInfoChange.objects.get()
    assert (change.field, change.field_label, change.old_value, change.new_value) == ("full_time_graduation_date", "全日制毕业时间", "", "1995.07.01")


def test_an_optional_column_the_sheet_lacks_keeps_what_is_stored_while_an_empty_cell_clears_it(tmp_path):
    from .import_helpers import MATERIAL_HEADERS, ROSTER_HEADERS

    run(tmp_path, "roster", [roster_row(1, 全日制毕业时间="1995.07", 学历认证报告编号="RZ1"), roster_row(2)])
    run(tmp_path, "materials", [material_row(1, 记载教育类别="在职")])
    old_roster = [h for h in ROSTER_HEADERS if h not in ("全日制毕业时间", "学历认证报告编号")]
    path = write(tmp_path / "old.xlsx", "roster", [roster_row(1, 职务="局长"), roster_row(3)], headers=old_roster)
    outcome = import_file(path=path, kind="roster")
    assert "工作表“干部名册”没有以下选填列：学历认证报告编号、全日制毕业时间；已有数据的这些项保持原值，新增的留空" in outcome.analysis.warnings
    assert outcome.analysis.counts()["updated"] == 1
    kept = Cadre.objects.get(id_number=id_for(1))
    assert (kept.position, kept.full_time_graduation_date, kept.verification_number) == ("局长", PartialDate(1995, 7), "RZ1")
    assert Cadre.objects.get(id_number=id_for(3)).full_time_graduation_date is None
    assert list(CadreInfoChange.objects.values_list("field", flat=True)) == ["position"]

    old_catalogue = [h for h in MATERIAL_HEADERS if h != "记载教育类别"]
    again = import_file(path=write(tmp_path / "m.xlsx", "materials", [material_row(1)], headers=old_catalogue), kind="materials")
    assert again.analysis.counts()["unchanged"] == 1 and Material.objects.get().recorded_study_mode == "在职"
    run(tmp_path, "materials", [material_row(1, 记载教育类别="")], name="m2.xlsx")
    assert Material.objects.get().recorded_study_mode == ""
    run(tmp_path, "roster", [roster_row(1, 职务="局长", 全日制毕业时间="", 学历认证报告编号="RZ1")], name="r3.xlsx")
    assert Cadre.objects.get(id_number=id_for(1)).full_time_graduation_date is None


def test_nested_periods_are_upserted_by_id_start_and_kind(tmp_path):
    cadre = CadreFactory(id_number=id_for(1))
    rows = [
        resume_row(1, 起始时间="2003.01", 终止时间="", 单位及职务="某局副局长"),
        resume_row(1, 起始时间="2003.01", 终止时间="2005.01", 单位及职务="其间兼任某协会秘书长"),
        resume_row(1, 起始时间="2004.09", 终止时间="2006.07", 单位及职务="其间：在省委党校在职大学学习", 证明材料="省委党校毕业证书"),
    ]
    first = run(tmp_path, "resume", rows)
    assert first.analysis.counts()["new"] == 3
    again = run(tmp_path, "resume", rows, name="again.xlsx")
    assert again.analysis.counts() | {"parts": None} == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "units_new": 0, "parts": None}
    rows[1] = resume_row(1, 起始时间="2003.01", 终止时间="2006.01", 单位及职务="其间兼任某协会秘书长")
    run(tmp_path, "resume", rows, name="third.xlsx")
    periods = {p.kind: p for p in ResumePeriod.objects.filter(cadre=cadre)}
    assert set(periods) == {"任职", "兼职", "在职学习"}
    assert periods["兼职"].end == PartialDate(2006, 1) and periods["任职"].end is None
    assert periods["在职学习"].nested and not periods["任职"].nested


def test_a_period_found_again_under_another_kind_is_reclassified_not_duplicated(tmp_path):
    from archives.tests.factories import ResumePeriodFactory

    cadre = CadreFactory(id_number=id_for(1))
    # Imported before 经历类型 existed: a 其间 line stored on the main line.
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2004, 9), end=PartialDate(2006, 7), unit_and_post="其间：在省委党校在职大学学习", kind="任职")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2008, 1), end=PartialDate(2009, 1), unit_and_post="某协会秘书长", kind="兼职")
    rows = [
        resume_row(1, 起始时间="2004.09", 终止时间="2006.07", 单位及职务="其间：在省委党校在职大学学习"),
        resume_row(1, 起始时间="2008.01", 终止时间="2009.01", 单位及职务="某协会秘书长", 经历类型="挂职"),
    ]
    analysis = service.import_analyse(path=write(tmp_path / "r.xlsx", "resume", rows), kind="resume")
    assert analysis.counts()["updated"] == 2 and analysis.counts()["new"] == 0
    changes = [u["changes"] for u in analysis.preview()["parts"][0]["updated"]]
    assert changes == [[{"field": "经历类型", "old": "任职", "new": "在职学习"}], [{"field": "经历类型", "old": "兼职", "new": "挂职"}]]
    service.import_apply(analysis=analysis)
    assert sorted(ResumePeriod.objects.filter(cadre=cadre).values_list("kind", flat=True)) == ["在职学习", "挂职"]


def test_a_period_kept_under_its_kind_in_the_file_is_not_reclassified(tmp_path):
    from archives.tests.factories import ResumePeriodFactory

    cadre = CadreFactory(id_number=id_for(1))
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2008, 1), end=None, unit_and_post="某乡党委书记", kind="任职")
    rows = [
        resume_row(1, 起始时间="2008.01", 终止时间="", 单位及职务="某乡党委书记"),
        resume_row(1, 起始时间="2008.01", 终止时间="2010.01", 单位及职务="某乡党委书记", 经历类型="兼职"),
    ]
    outcome = run(tmp_path, "resume", rows)
    assert outcome.analysis.counts()["new"] == 1 and outcome.analysis.counts()["unchanged"] == 1
    assert sorted(ResumePeriod.objects.filter(cadre=cadre).values_list("kind", flat=True)) == ["任职", "兼职"]


def test_an_archivist_cannot_import_rows_about_their_own_or_a_relatives_record(tmp_path, archivist):
    from archives.models import Recusal

    run(tmp_path, "roster", [roster_row(1), roster_row(2), roster_row(3)], name="first.xlsx")
    own, relative = Cadre.objects.get(id_number=id_for(1)), Cadre.objects.get(id_number=id_for(2))
    own.user = archivist
    own.save(update_fields=["user"])
    Recusal.objects.create(user=archivist, cadre=relative, relation="父子")
    before = list(Cadre.objects.order_by("pk").values())
    outcome = run(tmp_path, "roster", [roster_row(1, 学历="研究生"), roster_row(2, 学历="研究生"), roster_row(3, 学历="研究生")], user=archivist)
    messages = [(issue.row, issue.reason) for issue in outcome.analysis.issues]
    assert [row for row, _ in messages] == [2, 3] and all("回避" in reason for _, reason in messages)
    assert list(Cadre.objects.order_by("pk").values()) == before  # refused whole: not even the third row
    outcome = run(tmp_path, "materials", [material_row(1)], user=archivist)
    assert [issue.row for issue in outcome.analysis.issues] == [2]
    # Another archivist imports the same rows.
    assert run(tmp_path, "roster", [roster_row(1, 学历="研究生")]).analysis.valid
