"""Each detection rule as a pure function over plain snapshots (no database)."""

import itertools

import pytest

from archives.dates import PartialDate
from audits.detection import rules
from audits.detection.rules import CadreSnapshot, MaterialSnapshot, PeriodSnapshot, Thresholds
from audits.models import Category, Discrepancy

T = Thresholds()
HIGH = Discrepancy.Severity.HIGH
_ids = itertools.count(1)


def d(text: str) -> PartialDate:
    return PartialDate.parse(text, allow_future=True)


def mat(title="干部履历表", formed="1995.07", code="1", order=None, **recorded) -> MaterialSnapshot:
    for key in ("birth", "work_start", "party"):
        if isinstance(recorded.get(key), str):
            recorded[key] = d(recorded[key])
    return MaterialSnapshot(
        id=recorded.pop("id", next(_ids)),
        category_code=code,
        category_order=order if order is not None else int(code.split("-")[0]) * 10,
        title=title,
        formed=d(formed),
        **recorded,
    )


def period(start, end=None, proof="干部履历表", post="某县某局科员", kind="任职") -> PeriodSnapshot:
    return PeriodSnapshot(start=d(start), end=d(end) if end else None, unit_and_post=post, proof=proof, kind=kind)


def cadre(materials=(), periods=(), birth="1975.03.12", work="1995.07", party="2000.06", education="大学本科", verification="RZ1", id_number=None, **kw):
    birth_date = d(birth)
    if id_number is None:
        id_number = f"341122{birth_date.year:04d}{birth_date.month:02d}{birth_date.day or 1:02d}0011"
    return CadreSnapshot(
        name="张三",
        id_number=id_number,
        birth=birth_date,
        work_start=d(work) if work else None,
        party=d(party) if party else None,
        education=education,
        verification_number=verification,
        materials=tuple(materials),
        periods=tuple(periods),
        **kw,
    )


def keys(findings):
    return [(f.rule, f.subject) for f in findings]


# --- helpers ------------------------------------------------------------------------------


def test_earliest_breaks_ties_by_lower_category_then_title():
    a = mat("A表", "1990.03", code="4")
    b = mat("B表", "1990.03", code="2")
    c = mat("C表", "1990.03", code="2")
    assert rules.earliest([a, b, c]) is b


def test_earliest_treats_a_month_only_date_as_equal_to_every_day_of_that_month():
    month_only = mat("招工登记表", "1990.03", code="9")
    with_day = mat("履历表", "1990.03.05", code="1")
    later_month = mat("入团志愿书", "1990.04.01", code="1")
    assert rules.earliest([month_only, with_day, later_month]) is with_day


def test_earliest_uses_days_when_every_candidate_has_one():
    a = mat("甲", "1990.03.20", code="1")
    b = mat("乙", "1990.03.05", code="9")
    assert rules.earliest([a, b]) is b


def test_distinct_dates_compare_at_the_common_precision():
    assert rules.distinct_dates([d("1975.03"), d("1975.03.12")]) == [d("1975.03.12")]
    assert len(rules.distinct_dates([d("1975.03.12"), d("1975.03.15"), d("1975.03")])) == 2
    assert rules.distinct_dates([]) == []


def test_add_months_keeps_the_precision_and_clamps_the_day():
    assert rules.add_months(d("1999.06"), 12) == d("2000.06")
    assert rules.add_months(d("1999.11.30"), 3) == d("2000.02.29")
    assert rules.add_months(d("1999.12"), 1) == d("2000.01")


def test_material_snapshot_cites_like_the_model(db):
    from archives.tests.factories import MaterialFactory

    material = MaterialFactory(title="招工登记表", formed_date=d("1990.03"))
    snapshot = mat("招工登记表", "1990.03", code=material.category.code)
    assert snapshot.citation() == material.citation()


def test_thresholds_come_from_settings(settings):
    settings.DETECTION = {**settings.DETECTION, "WORK_MIN_AGE": 15}
    assert Thresholds.from_settings(settings.DETECTION).work_min_age == 15


# --- age ----------------------------------------------------------------------------------


def test_age_earliest_fires_with_high_severity_when_current_is_later():
    first = mat("招工登记表", "1990.03", code="9", birth="1974.03")
    later = mat("干部履历表", "1995.07", birth="1975.03.12")
    [finding] = rules.age_earliest(cadre([later, first]), T)
    assert finding.rule == "AGE-EARLIEST" and finding.category == Category.AGE
    assert finding.severity == Discrepancy.Severity.HIGH
    assert "早大改小" in finding.description and "《招工登记表》（第9类，1990.03形成）" in finding.description
    assert "1974年3月" in finding.description and "1975年3月12日" in finding.description
    assert finding.citations == ((first.id, "1974.03"),)
    assert finding.current_value == "1975.03.12"


def test_age_earliest_is_normal_when_current_is_earlier():
    first = mat("招工登记表", "1990.03", birth="1976.03")
    [finding] = rules.age_earliest(cadre([first]), T)
    assert finding.severity == Discrepancy.Severity.NORMAL
    assert "早大改小" not in finding.description


def test_age_earliest_is_silent_when_equal_at_the_month():
    assert rules.age_earliest(cadre([mat(birth="1975.03")]), T) == []


def test_age_earliest_follows_the_tie_break():
    low = mat("乙表", "1990.03", code="1", birth="1975.03")
    high = mat("甲表", "1990.03", code="2", birth="1970.01")
    assert rules.age_earliest(cadre([high, low]), T) == []


def test_age_earliest_without_materials_is_silent():
    assert rules.age_earliest(cadre([]), T) == []


def test_age_disagree_lists_the_distinct_values():
    a = mat("甲", "1990.03", birth="1975.03")
    b = mat("乙", "1991.03", birth="1975.03.12")
    assert rules.age_disagree(cadre([a, b]), T) == []
    c = mat("丙", "1992.03", birth="1976.03")
    [finding] = rules.age_disagree(cadre([a, b, c]), T)
    assert "2种" in finding.description and "1976年3月" in finding.description
    assert {m for m, _ in finding.citations} == {a.id, b.id, c.id}


def test_age_disagree_distinguishes_different_days_of_one_month():
    a = mat("甲", "1990.03", birth="1975.03.12")
    b = mat("乙", "1991.03", birth="1975.03.15")
    assert keys(rules.age_disagree(cadre([a, b]), T)) == [("AGE-DISAGREE", "出生日期")]


def test_age_altered_one_finding_citing_every_altered_material_recording_a_birth_date():
    altered = mat("甲", "1990.03", birth="1975.03", altered=True)
    also_altered = mat("丁", "1993.03", birth="1975.03", altered=True)
    altered_no_birth = mat("乙", altered=True)
    clean = mat("丙", birth="1975.03")
    [finding] = rules.age_altered(cadre([altered, altered_no_birth, clean, also_altered]), T)
    assert (finding.rule, finding.subject) == ("AGE-ALTERED", "出生日期")
    assert finding.citations == ((altered.id, "1975.03"), (also_altered.id, "1975.03"))
    assert altered.citation() in finding.description and also_altered.citation() in finding.description
    assert "有涂改痕迹" in finding.description and finding.description.endswith("（规则 AGE-ALTERED）")
    assert rules.age_altered(cadre([altered_no_birth, clean]), T) == []


def test_age_id_compares_the_encoded_date():
    assert rules.age_id(cadre(birth="1975.03.12"), T) == []
    assert rules.age_id(cadre(birth="1975.03"), T) == []  # month precision: equal
    [finding] = rules.age_id(cadre(birth="1975.03.12", id_number="341122197503150011"), T)
    assert "1975年3月15日" in finding.description


def test_age_id_ignores_a_number_without_a_date():
    assert rules.age_id(cadre(id_number="bad"), T) == []


# --- work ---------------------------------------------------------------------------------


def test_work_earliest_and_disagree():
    first = mat("招工审批表", "1994.07", code="9", work_start="1994.07")
    later = mat("转正定级表", "1995.07", code="9", work_start="1995.07")
    c = cadre([later, first], work="1995.07")
    assert keys(rules.work_earliest(c, T)) == [("WORK-EARLIEST", "参加工作时间")]
    assert rules.work_earliest(c, T)[0].severity == Discrepancy.Severity.NORMAL
    assert keys(rules.work_disagree(c, T)) == [("WORK-DISAGREE", "参加工作时间")]
    same = cadre([first], work="1994.07.15")
    assert rules.work_earliest(same, T) == [] and rules.work_disagree(same, T) == []


@pytest.mark.parametrize(
    ("birth", "work", "fires"),
    [
        ("1975.03.12", "1991.03.11", True),
        ("1975.03.12", "1991.03.12", False),
        ("1975.03.12", "1991.03", False),  # same month at the common precision
        ("1975.03", "1991.02.28", True),
        ("1975.03.12", "1991.02", True),
        ("1975.03", "1991.04", False),
    ],
)
def test_work_under_16_at_the_common_precision(birth, work, fires):
    assert bool(rules.work_under_16(cadre(birth=birth, work=work), T)) is fires


def test_work_under_16_uses_the_threshold_setting():
    c = cadre(birth="1975.03", work="1990.06")
    assert rules.work_under_16(c, T)
    assert rules.work_under_16(c, Thresholds(work_min_age=15)) == []


# --- party --------------------------------------------------------------------------------


def test_party_volunteer_compares_the_volunteer_form():
    volunteer = mat("入党志愿书", "2000.06", code="6", party="2000.05")
    [finding] = rules.party_volunteer(cadre([volunteer], party="2000.06"), T)
    assert "入党志愿书" in finding.description and finding.citations == ((volunteer.id, "2000.05"),)
    assert rules.party_volunteer(cadre([volunteer], party="2000.05.20"), T) == []


def test_party_rules_ignore_non_members_except_unrecorded():
    c = cadre([mat("干部履历表", party="2000.06")], party=None)
    for rule in (rules.party_volunteer, rules.party_no_volunteer, rules.party_no_application, rules.party_application_late, rules.party_under_18):
        assert rule(c, T) == []
    [finding] = rules.party_unrecorded(c, T)
    assert finding.rule == "PARTY-UNRECORDED" and "2000年6月" in finding.description
    assert rules.party_unrecorded(cadre([mat()], party=None), T) == []
    assert rules.party_unrecorded(cadre([mat(party="2000.06")]), T) == []


def test_party_disagree():
    a = mat("入党志愿书", "2000.06", code="6", party="2000.06")
    b = mat("干部履历表", "2003.06", party="2001.06")
    assert keys(rules.party_disagree(cadre([a, b]), T)) == [("PARTY-DISAGREE", "入党时间")]
    assert rules.party_disagree(cadre([a]), T) == []


def test_party_documents_missing_for_a_member():
    application = mat("入党申请书", "1998.01", code="6")
    volunteer = mat("入党志愿书", "2000.06", code="6", party="2000.06")
    assert rules.party_no_volunteer(cadre([application, volunteer]), T) == []
    assert rules.party_no_application(cadre([application, volunteer]), T) == []
    assert keys(rules.party_no_volunteer(cadre([application]), T)) == [("PARTY-NO-VOLUNTEER", "入党材料")]
    assert keys(rules.party_no_application(cadre([volunteer]), T)) == [("PARTY-NO-APPLICATION", "入党材料")]
    # A cadre with no materials at all misses both.
    assert rules.party_no_volunteer(cadre([]), T) and rules.party_no_application(cadre([]), T)
    # 入团志愿书 is not 入党志愿书.
    assert rules.party_no_volunteer(cadre([mat("入团志愿书", code="6")]), T)


@pytest.mark.parametrize(
    ("formed", "party", "fires"),
    [
        ("1999.06", "2000.06", False),  # exactly 12 months
        ("1999.07", "2000.06", True),  # 11 months
        ("1999.06.20", "2000.06.10", True),  # days known: short of 12 months
        ("1999.06.20", "2000.06", False),  # month precision: equal
        ("2000.06", "2000.06", True),  # the month of joining: not after it
        ("2001.01", "2000.06", False),  # formed after joining: a supplied copy (补充材料)
    ],
)
def test_party_application_late(formed, party, fires):
    application = mat("入党申请书", formed, code="6")
    assert bool(rules.party_application_late(cadre([application], party=party), T)) is fires


def test_party_under_18():
    assert rules.party_under_18(cadre(birth="1975.03.12", party="1993.03"), T) == []
    assert keys(rules.party_under_18(cadre(birth="1975.03.12", party="1993.02"), T)) == [("PARTY-UNDER-18", "入党时间")]


# --- education ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("education", "verification", "fires"),
    [("中专", "", True), ("大学本科", "", True), ("中技", "", True), ("高中", "", False), ("大学本科", "RZ1", False), ("", "", False)],
)
def test_edu_unverified(education, verification, fires):
    assert bool(rules.edu_unverified(cadre(education=education, verification=verification), T)) is fires


def test_edu_unsupported_compares_the_highest_recorded_level():
    college = mat("毕业生登记表", "1995.07", code="4", education="大专")
    school = mat("中学学籍表", "1990.07", code="4", education="高中")
    [finding] = rules.edu_unsupported(cadre([college, school], education="大学本科"), T)
    assert "大学专科" in finding.description and finding.citations == ((college.id, "大专"),)
    assert rules.edu_unsupported(cadre([college], education="大学专科"), T) == []
    # No material records an education: nothing to compare.
    assert rules.edu_unsupported(cadre([mat()], education="大学本科"), T) == []
    assert rules.edu_unsupported(cadre([mat(education="某某培训")], education="大学本科"), T) == []


# --- experience ---------------------------------------------------------------------------


def test_exp_no_proof_one_per_period():
    periods = [period("1995.07", "2000.01", proof=""), period("2000.01", proof="干部履历表")]
    assert keys(rules.exp_no_proof(cadre([mat("干部履历表")], periods), T)) == [("EXP-NO-PROOF", "经历 1995.07（任职）")]


def test_exp_proof_missing_checks_the_catalogue():
    periods = [period("1995.07", "2000.01", proof="干部履历表"), period("2000.01", proof="《任免审批表》、干部履历表")]
    [finding] = rules.exp_proof_missing(cadre([mat("干部履历表")], periods), T)
    assert finding.subject == "经历 2000.01（任职）" and "《任免审批表》" in finding.description
    assert rules.exp_proof_missing(cadre([mat("干部履历表"), mat("任免审批表")], periods), T) == []


def test_exp_gap_from_work_start_and_between_periods():
    c = cadre(work="1995.01", periods=[period("1995.08", "2000.01"), period("2000.07", "2003.01"), period("2003.08")])
    assert keys(rules.exp_gap(c, T)) == [("EXP-GAP", "经历衔接 参加工作—1995.08"), ("EXP-GAP", "经历衔接 2000.07—2003.08")]
    ok = cadre(work="1995.01", periods=[period("1995.07", "2000.01"), period("2000.07")])
    assert rules.exp_gap(ok, T) == []
    assert rules.exp_gap(cadre(periods=[]), T) == []


def test_exp_overlap_more_than_a_month():
    c = cadre(periods=[period("1995.07", "2000.03"), period("2000.01", "2003.01"), period("2002.12")])
    assert keys(rules.exp_overlap(c, T)) == [("EXP-OVERLAP", "经历衔接 1995.07—2000.01")]


def test_exp_overlap_of_an_open_period_followed_by_another():
    c = cadre(periods=[period("1995.07"), period("2000.01")])
    assert keys(rules.exp_overlap(c, T)) == [("EXP-OVERLAP", "经历衔接 1995.07—2000.01")]


def test_periods_are_taken_in_order_of_start():
    c = cadre(work="1995.07", periods=[period("2000.01"), period("1995.07", "2000.01")])
    assert rules.exp_gap(c, T) == [] and rules.exp_overlap(c, T) == []


# --- the whole table ----------------------------------------------------------------------


def test_a_clean_cadre_has_no_findings():
    materials = [
        mat("干部履历表", "1995.07", birth="1975.03.12", work_start="1995.07", education="大学本科"),
        mat("入党申请书", "1998.01", code="6"),
        mat("入党志愿书", "2000.06", code="6", party="2000.06"),
    ]
    assert rules.run_rules(cadre(materials, [period("1995.07")]), T) == []


def test_a_cadre_without_materials_has_only_the_missing_document_findings():
    [finding] = rules.run_rules(cadre([], []), T)
    assert (finding.category, finding.subject) == (Category.PARTY, "入党材料")
    assert finding.rules == ("PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION") and finding.rule == "PARTY-NO-VOLUNTEER"
    assert "档案中没有入党志愿书" in finding.description and "档案中没有入党申请书" in finding.description
    assert finding.description.count("现有信息入党时间为2000年6月") == 1
    assert rules.run_rules(cadre([], [], party=None), T) == []


def test_every_rule_has_a_category():
    assert set(rules.RULES) == {
        "AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED", "AGE-ID",
        "WORK-EARLIEST", "WORK-DISAGREE", "WORK-ALTERED", "WORK-UNDER-16", "WORK-BEFORE-GRADUATION",
        "PARTY-VOLUNTEER", "PARTY-DISAGREE", "PARTY-ALTERED", "PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION",
        "PARTY-APPLICATION-LATE", "PARTY-UNDER-18", "PARTY-UNRECORDED",
        "EDU-UNVERIFIED", "EDU-UNSUPPORTED", "EDU-ALTERED", "EDU-MODE-MISMATCH",
        "EXP-NO-PROOF", "EXP-PROOF-MISSING", "EXP-GAP", "EXP-OVERLAP", "EXP-NESTED-OUTSIDE",
    }  # fmt: skip
    assert {rules.category_of(code) for code in rules.RULES} == set(Category.values)


def test_education_level_agrees_with_the_model():
    from archives.models import EDUCATION_ALIASES, Education

    for text in [*Education.values, *EDUCATION_ALIASES, " 本科 ", "", "某培训班"]:
        assert rules.education_level(text) == Education.level(text)


# --- the rules new in this version -------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "field", "value", "current"),
    [
        ("WORK-ALTERED", "work_start", "1995.07", {}),
        ("PARTY-ALTERED", "party", "2000.06", {}),
        ("EDU-ALTERED", "education", "大学本科", {}),
    ],
)
def test_altered_materials_recording_each_field(rule, field, value, current):
    altered = mat("干部履历表", "1995.07", altered=True, **{field: value})
    function = {"WORK-ALTERED": rules.work_altered, "PARTY-ALTERED": rules.party_altered, "EDU-ALTERED": rules.edu_altered}[rule]
    [finding] = function(cadre([altered], **current), T)
    assert finding.rule == rule and altered.citation() in finding.description and "涂改" in finding.description
    assert finding.citations == ((altered.id, value),)
    # The same material unaltered, or altered but recording another field only: nothing.
    assert function(cadre([mat("干部履历表", "1995.07", **{field: value})]), T) == []
    assert function(cadre([mat("干部履历表", "1995.07", altered=True, birth="1975.03")]), T) == []


def test_edu_altered_ignores_text_that_is_no_education_level():
    assert rules.edu_altered(cadre([mat("培训结业证书", education="某某培训", altered=True)]), T) == []


@pytest.mark.parametrize(
    ("work", "graduation", "fires"),
    [
        ("1995.07", "1995.07", False),
        ("1995.08", "1995.07", False),  # after graduation
        ("1995.06", "1995.07", False),  # one month early: within the tolerance
        ("1995.05", "1995.07", True),
        ("1995.06.10", "1995.07.15", True),  # days known: more than a month
        ("1995.06.20", "1995.07.15", False),
        ("1993.09", "1995.07", True),
    ],
)
def test_work_before_graduation(work, graduation, fires):
    assert bool(rules.work_before_graduation(cadre(work=work, graduation=d(graduation)), T)) is fires


def test_work_before_graduation_explains_the_exception_and_uses_the_setting():
    c = cadre(work="1993.09", graduation=d("1995.07"))
    [finding] = rules.work_before_graduation(c, T)
    assert (finding.subject, finding.category) == ("参加工作时间", Category.WORK)
    assert "1995年7月" in finding.description and "定向、委培" in finding.description
    assert finding.recorded_values == "全日制毕业时间：1995.07"
    assert rules.work_before_graduation(cadre(work="1995.05", graduation=d("1995.07")), Thresholds(work_graduation_tolerance_months=2)) == []
    assert rules.work_before_graduation(cadre(work="1993.09"), T) == []  # no graduation date on file


def test_thresholds_read_the_new_settings(settings):
    settings.DETECTION = {**settings.DETECTION, "WORK_GRADUATION_TOLERANCE_MONTHS": 3, "NESTED_PERIOD_TOLERANCE_MONTHS": 2}
    thresholds = Thresholds.from_settings(settings.DETECTION)
    assert (thresholds.work_graduation_tolerance_months, thresholds.nested_period_tolerance_months) == (3, 2)


def test_edu_mode_mismatch_on_a_material_recording_in_service_study():
    in_service = mat("毕业证书", "1999.07", code="4", education="大学本科", study_mode="在职")
    [finding] = rules.edu_mode_mismatch(cadre([in_service], study_mode="全日制"), T)
    assert (finding.rule, finding.subject) == ("EDU-MODE-MISMATCH", "学历学位")
    assert in_service.citation() in finding.description and "记载教育类别为在职" in finding.description
    assert finding.citations == ((in_service.id, "大学本科"),)


@pytest.mark.parametrize(
    "title", ["函授本科毕业证书", "自学考试毕业证书", "成人高等教育毕业生登记表", "省委党校大学本科毕业证书", "在职研究生学历证书", "网络教育毕业证书"]
)
def test_edu_mode_mismatch_on_a_title_naming_in_service_study(title):
    level = "研究生" if "研究生" in title else "大学本科"
    material = mat(title, "2005.07", code="4", education=level)
    [finding] = rules.edu_mode_mismatch(cadre([material], education=level, study_mode="全日制"), T)
    assert "名称表明为在职学习" in finding.description


def test_edu_mode_mismatch_stays_silent_for_consistent_records():
    full_time = mat("毕业生登记表", "1995.07", code="4", education="大学本科", study_mode="全日制")
    party_school_master = mat("中央党校研究生班毕业证书", "2008.07", code="4", education="研究生", study_mode="在职")
    in_service = mat("函授本科毕业证书", "1999.07", code="4", education="大学本科", study_mode="在职")
    # A full-time 本科 with a later in-service 研究生 (another level): nothing.
    assert rules.edu_mode_mismatch(cadre([full_time, party_school_master], study_mode="全日制"), T) == []
    # An in-service 本科 recorded as 在职 in current information: nothing.
    assert rules.edu_mode_mismatch(cadre([in_service], study_mode="在职"), T) == []
    # No 教育类别 in current information: nothing to compare.
    assert rules.edu_mode_mismatch(cadre([in_service], study_mode=""), T) == []


def test_a_supplied_application_after_joining_satisfies_the_rule_and_fires_nothing():
    supplied = mat("入党申请书", "2026.03", code="6")
    volunteer = mat("入党志愿书", "2006.06", code="6", party="2006.06")
    resume = mat("干部履历表", "1995.07", birth="1975.03.12", work_start="1995.07", education="大学本科")
    c = cadre([resume, supplied, volunteer], party="2006.06")
    assert rules.party_no_application(c, T) == [] and rules.party_application_late(c, T) == []
    assert rules.run_rules(c, T) == []


def test_an_original_application_is_judged_even_beside_a_supplied_copy():
    original = mat("入党申请书", "2005.12", code="6")
    supplied = mat("入党申请书", "2026.03", code="6")
    [finding] = rules.party_application_late(cadre([supplied, original], party="2006.06"), T)
    assert finding.citations == ((original.id, "2005.12"),) and "不足12个月" in finding.description


# --- earlier determinations settle a value --------------------------------------------------


def sheet(formed="2020.06.15", code="5", title="干部人事档案专项审核认定表", **recorded):
    return mat(title, formed, code=code, **recorded)


def test_a_settled_birth_date_silences_older_materials_while_current_equals_it():
    old = [
        mat("招工登记表", "1990.03", code="9", birth="1974.03"),
        mat("干部履历表", "1995.07", birth="1975.03.12", altered=True),
    ]
    settled = sheet(birth="1975.04")
    assert rules.run_rules(cadre([*old, settled], birth="1975.04", party=None), T) == []


def test_a_current_value_differing_from_the_settled_one_is_one_finding():
    old = [mat("招工登记表", "1990.03", code="9", birth="1974.03"), mat("干部履历表", "1995.07", birth="1975.03.12", altered=True)]
    settled = sheet(birth="1975.04")
    [finding] = rules.run_rules(cadre([*old, settled], birth="1975.03.12", party=None), T)
    assert (finding.rule, finding.rules, finding.subject) == ("AGE-EARLIEST", ("AGE-EARLIEST",), "出生日期")
    assert f"与{settled.citation()}的认定结论不一致" in finding.description and "1975年4月" in finding.description
    assert "招工登记表" not in finding.description  # older materials are not compared any more
    assert finding.citations == ((settled.id, "1975.04"),)
    assert finding.severity == Discrepancy.Severity.NORMAL  # current is the earlier date
    [later] = rules.run_rules(cadre([*old, settled], birth="1975.06", party=None), T)
    assert later.severity == Discrepancy.Severity.HIGH


def test_materials_formed_after_the_settlement_are_still_compared():
    settled = sheet(birth="1975.04")
    newer = mat("年度考核登记表", "2022.12", code="3", birth="1975.05", altered=True)
    [finding] = rules.run_rules(cadre([settled, newer], birth="1975.04", party=None), T)
    assert finding.rules == ("AGE-DISAGREE", "AGE-ALTERED")
    assert newer.citation() in finding.description and settled.citation() in finding.description


def test_the_latest_settling_material_wins():
    first = sheet("2015.05", title="出生日期认定意见", birth="1975.01")
    latest = sheet("2020.06.15", birth="1975.04")
    assert rules.run_rules(cadre([first, latest], birth="1975.04", party=None), T) == []
    [finding] = rules.run_rules(cadre([first, latest], birth="1975.01", party=None), T)
    assert latest.citation() in finding.description and first.citation() not in finding.description


@pytest.mark.parametrize(
    ("code", "title", "settles"),
    [
        ("5", "干部人事档案专项审核认定表", True),
        ("5-2", "关于张三同志出生日期认定的批复", True),
        ("5", "政审材料", False),  # no 认定 in the title
        ("4", "学历认定意见", False),  # not category 5
        ("50", "认定表", False),
    ],
)
def test_what_counts_as_a_settling_material(code, title, settles):
    older = mat("招工登记表", "1990.03", code="9", birth="1974.03")
    c = cadre([older, sheet(code=code, title=title, birth="1975.03.12")], birth="1975.03.12")
    assert (rules.age_earliest(c, T) == []) is settles


def test_a_settlement_records_only_the_fields_it_names():
    # The sheet settles the birth date only: the work-start date is still compared with the earliest record.
    settled = sheet(birth="1975.03.12")
    recruit = mat("招工审批表", "1994.07", code="9", work_start="1994.07")
    c = cadre([recruit, settled], work="1995.07", party=None)
    assert [f.rule for f in rules.run_rules(c, T)] == ["WORK-EARLIEST"]


def test_a_settled_work_start_and_party_date():
    recruit = mat("招工审批表", "1994.07", code="9", work_start="1994.07")
    volunteer = mat("入党志愿书", "2000.05", code="6", party="2000.05")
    application = mat("入党申请书", "1998.01", code="6")
    settled = sheet(work_start="1995.07", party="2000.06")
    assert rules.run_rules(cadre([recruit, volunteer, application, settled], work="1995.07", party="2000.06"), T) == []
    found = rules.run_rules(cadre([recruit, volunteer, application, settled], work="1994.07", party="2000.05"), T)
    assert [(f.rule, f.subject) for f in found] == [("WORK-EARLIEST", "参加工作时间"), ("PARTY-VOLUNTEER", "入党时间")]
    assert all("认定结论不一致" in f.description for f in found)


def test_a_settled_education():
    college = mat("毕业生登记表", "1995.07", code="4", education="大专")
    settled = sheet(education="大学本科")
    assert rules.run_rules(cadre([college, settled], education="大学本科", party=None), T) == []
    [finding] = rules.run_rules(cadre([college, sheet(education="大学专科")], education="大学本科", party=None), T)
    assert finding.rule == "EDU-UNSUPPORTED" and "认定结论不一致" in finding.description


# --- one finding per subject --------------------------------------------------------------


def test_three_rules_on_the_birth_date_are_one_finding():
    first = mat("招工登记表", "1990.03", code="9", birth="1974.03")
    altered = mat("干部履历表", "1995.07", birth="1975.03.12", altered=True)
    [finding] = rules.run_rules(cadre([first, altered], birth="1975.03.12", party=None), T)
    assert finding.subject == "出生日期" and finding.rule == "AGE-EARLIEST"
    assert finding.rules == ("AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED")
    assert finding.severity == Discrepancy.Severity.HIGH
    assert finding.citations == ((first.id, "1974.03"), (altered.id, "1975.03.12"))  # each material once
    text = finding.description
    assert text.startswith("现有信息出生日期为1975年3月12日，而最早记载")
    assert "；档案材料记载的出生日期不一致，共有2种" in text and "有涂改痕迹" in text
    assert text.endswith("（规则 AGE-EARLIEST、AGE-DISAGREE、AGE-ALTERED）")
    assert text.count("现有信息出生日期为") == 1 and text.count("（规则") == 1
    # The first sentence (what the 认定表 prints) carries every reason.
    assert "涂改" in text.partition("。")[0]


def test_subjects_of_the_table_stay_apart():
    c = cadre([mat("干部履历表", birth="1974.03")], birth="1975.03.12", id_number="341122197503150011")
    assert sorted(f.subject for f in rules.run_rules(c, T) if f.category == Category.AGE) == ["出生日期", "身份证号记载的出生日期"]


def test_merging_keeps_the_first_rule_and_the_highest_severity():
    low = rules.Finding(rule="AGE-DISAGREE", category=Category.AGE, subject="出生日期", reasons=(("甲",),), citations=((1, "x"),))
    high = rules.Finding(rule="AGE-ALTERED", category=Category.AGE, subject="出生日期", reasons=(("乙",),), severity=HIGH, citations=((1, "y"), (2, "z")))
    [merged] = rules.merge([low, high])
    assert merged.rules == ("AGE-DISAGREE", "AGE-ALTERED") and merged.severity == HIGH
    assert merged.citations == ((1, "x"), (2, "z"))
    assert merged.description == "甲；乙。（规则 AGE-DISAGREE、AGE-ALTERED）"


# --- main line and nested periods ------------------------------------------------------------


def test_a_nested_study_period_inside_a_post_is_no_gap_and_no_overlap():
    periods = [
        period("1995.07", "2000.01", post="某县某局科员"),
        period("2000.01", "2010.03", post="某县某局副局长"),
        period("2005.09", "2008.07", post="其间：在省委党校经济管理专业在职大学学习", kind="在职学习"),
        period("2006.03", "2009.12", post="兼任某协会秘书长", kind="兼职"),
        period("2010.03", post="某县某局局长"),
    ]
    c = cadre([mat("干部履历表")], periods, work="1995.07")
    for rule in (rules.exp_gap, rules.exp_overlap, rules.exp_nested_outside):
        assert rule(c, T) == []
    assert [f for f in rules.run_rules(c, T) if f.category == Category.EXPERIENCE] == []


def test_a_nested_period_neither_fills_a_gap_nor_hides_it():
    periods = [period("1995.07", "2000.01"), period("2000.02", "2001.12", kind="在职学习"), period("2001.12")]
    assert keys(rules.exp_gap(cadre(periods=periods, work="1995.07"), T)) == [("EXP-GAP", "经历衔接 1995.07—2001.12")]


def test_a_nested_period_outside_the_main_line():
    main = [period("1995.07", "2000.01"), period("2000.01", "2010.03")]
    early = period("1993.09", "1995.06", post="其间：在县委党校学习", kind="在职学习")
    late = period("2010.01", "2011.06", kind="挂职", post="挂职某市某局副局长")
    [before, after] = rules.exp_nested_outside(cadre(periods=[*main, early, late]), T)
    assert (before.rule, before.subject) == ("EXP-NESTED-OUTSIDE", "经历 1993.09（在职学习）")
    assert after.subject == "经历 2010.01（挂职）" and "1995.07—2010.03" in after.description
    # Within a month of the span: tolerated.
    edge = [period("1995.06", "1996.01", kind="在职学习"), period("2009.09", "2010.04", kind="兼职")]
    assert rules.exp_nested_outside(cadre(periods=[*main, *edge]), T) == []
    # The main line goes on to the present: any later end is inside it.
    open_main = [period("1995.07", "2000.01"), period("2000.01")]
    assert rules.exp_nested_outside(cadre(periods=[*open_main, period("2020.01", kind="兼职")]), T) == []
    # A nested period still running after the main line ended is outside it.
    assert keys(rules.exp_nested_outside(cadre(periods=[*main, period("2009.01", kind="兼职")]), T)) == [("EXP-NESTED-OUTSIDE", "经历 2009.01（兼职）")]


def test_a_nested_period_without_any_main_line_is_outside():
    [finding] = rules.exp_nested_outside(cadre(periods=[period("2005.09", "2008.07", kind="在职学习")]), T)
    assert "没有任职经历" in finding.description


def test_proof_rules_apply_to_nested_periods_and_merge_with_the_outside_rule():
    nested = period("1993.09", "1995.06", proof="", kind="在职学习")
    [finding] = [f for f in rules.run_rules(cadre([mat("干部履历表")], [period("1995.07"), nested]), T) if f.category == Category.EXPERIENCE]
    assert finding.subject == "经历 1993.09（在职学习）"
    assert finding.rules == ("EXP-NO-PROOF", "EXP-NESTED-OUTSIDE")
    assert finding.description.count("经历1993.09") == 1


def test_a_main_and_a_nested_period_starting_together_are_two_subjects():
    periods = [period("2000.01", proof=""), period("2000.01", "2002.01", proof="", kind="在职学习")]
    assert sorted(f.subject for f in rules.exp_no_proof(cadre(periods=periods), T)) == ["经历 2000.01（任职）", "经历 2000.01（在职学习）"]


# --- findings stored before one finding per subject -----------------------------------------


def test_legacy_subjects_map_to_todays():
    assert rules.legacy_subject("AGE-ALTERED:17") == "出生日期"
    assert rules.legacy_subject("AGE-EARLIEST:") == "出生日期"
    assert rules.legacy_subject("PARTY-NO-APPLICATION:") == "入党材料"
    assert rules.legacy_subject("EXP-NO-PROOF:1995-07") == "经历 1995.07（任职）"
    found = ["经历衔接 1995.07—2000.09", "出生日期"]
    assert rules.legacy_subject("EXP-GAP:2000-09", found) == "经历衔接 1995.07—2000.09"
    assert rules.legacy_subject("EXP-GAP:2003-01", found) is None
    assert rules.legacy_subject("出生日期") is None and rules.legacy_rule("出生日期") is None
    assert rules.legacy_rule("AGE-ID:") == "AGE-ID" and rules.legacy_rule("NOT-A-RULE:x") is None


def test_the_readme_lists_exactly_the_rules_the_engine_runs():
    import re
    from pathlib import Path

    from django.conf import settings

    from audits.detection.rules import RULES

    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 系统比对", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"\b(?:AGE|WORK|PARTY|EDU|EXP)-[A-Z0-9-]*[A-Z0-9]\b", section))
    assert listed == set(RULES), listed ^ set(RULES)
