"""Each detection rule as a pure function over plain snapshots (no database)."""

import itertools

import pytest

from archives.dates import PartialDate
from audits.detection import rules
from audits.detection.rules import CadreSnapshot, MaterialSnapshot, PeriodSnapshot, Thresholds
from audits.models import Category, Discrepancy

T = Thresholds()
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


def period(start, end=None, proof="干部履历表", post="某县某局科员") -> PeriodSnapshot:
    return PeriodSnapshot(start=d(start), end=d(end) if end else None, unit_and_post=post, proof=proof)


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
    assert keys(rules.age_disagree(cadre([a, b]), T)) == [("AGE-DISAGREE", "")]


def test_age_altered_one_finding_per_altered_material_recording_a_birth_date():
    altered = mat("甲", birth="1975.03", altered=True)
    altered_no_birth = mat("乙", altered=True)
    clean = mat("丙", birth="1975.03")
    assert keys(rules.age_altered(cadre([altered, altered_no_birth, clean]), T)) == [("AGE-ALTERED", str(altered.id))]


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
    assert keys(rules.work_earliest(c, T)) == [("WORK-EARLIEST", "")]
    assert rules.work_earliest(c, T)[0].severity == Discrepancy.Severity.NORMAL
    assert keys(rules.work_disagree(c, T)) == [("WORK-DISAGREE", "")]
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
    assert keys(rules.party_disagree(cadre([a, b]), T)) == [("PARTY-DISAGREE", "")]
    assert rules.party_disagree(cadre([a]), T) == []


def test_party_documents_missing_for_a_member():
    application = mat("入党申请书", "1998.01", code="6")
    volunteer = mat("入党志愿书", "2000.06", code="6", party="2000.06")
    assert rules.party_no_volunteer(cadre([application, volunteer]), T) == []
    assert rules.party_no_application(cadre([application, volunteer]), T) == []
    assert keys(rules.party_no_volunteer(cadre([application]), T)) == [("PARTY-NO-VOLUNTEER", "")]
    assert keys(rules.party_no_application(cadre([volunteer]), T)) == [("PARTY-NO-APPLICATION", "")]
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
        ("2001.01", "2000.06", True),  # written after joining
    ],
)
def test_party_application_late(formed, party, fires):
    application = mat("入党申请书", formed, code="6")
    assert bool(rules.party_application_late(cadre([application], party=party), T)) is fires


def test_party_under_18():
    assert rules.party_under_18(cadre(birth="1975.03.12", party="1993.03"), T) == []
    assert keys(rules.party_under_18(cadre(birth="1975.03.12", party="1993.02"), T)) == [("PARTY-UNDER-18", "")]


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
    assert keys(rules.exp_no_proof(cadre([mat("干部履历表")], periods), T)) == [("EXP-NO-PROOF", "1995-07")]


def test_exp_proof_missing_checks_the_catalogue():
    periods = [period("1995.07", "2000.01", proof="干部履历表"), period("2000.01", proof="《任免审批表》、干部履历表")]
    [finding] = rules.exp_proof_missing(cadre([mat("干部履历表")], periods), T)
    assert finding.subject == "2000-01" and "《任免审批表》" in finding.description
    assert rules.exp_proof_missing(cadre([mat("干部履历表"), mat("任免审批表")], periods), T) == []


def test_exp_gap_from_work_start_and_between_periods():
    c = cadre(work="1995.01", periods=[period("1995.08", "2000.01"), period("2000.07", "2003.01"), period("2003.08")])
    assert keys(rules.exp_gap(c, T)) == [("EXP-GAP", "1995-08"), ("EXP-GAP", "2003-08")]
    ok = cadre(work="1995.01", periods=[period("1995.07", "2000.01"), period("2000.07")])
    assert rules.exp_gap(ok, T) == []
    assert rules.exp_gap(cadre(periods=[]), T) == []


def test_exp_overlap_more_than_a_month():
    c = cadre(periods=[period("1995.07", "2000.03"), period("2000.01", "2003.01"), period("2002.12")])
    assert keys(rules.exp_overlap(c, T)) == [("EXP-OVERLAP", "2000-01")]


def test_exp_overlap_of_an_open_period_followed_by_another():
    c = cadre(periods=[period("1995.07"), period("2000.01")])
    assert keys(rules.exp_overlap(c, T)) == [("EXP-OVERLAP", "2000-01")]


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
    found = {f.rule for f in rules.run_rules(cadre([], []), T)}
    assert found == {"PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION"}
    assert rules.run_rules(cadre([], [], party=None), T) == []


def test_every_rule_has_a_category():
    assert set(rules.RULES) == {
        "AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED", "AGE-ID",
        "WORK-EARLIEST", "WORK-DISAGREE", "WORK-UNDER-16",
        "PARTY-VOLUNTEER", "PARTY-DISAGREE", "PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION",
        "PARTY-APPLICATION-LATE", "PARTY-UNDER-18", "PARTY-UNRECORDED",
        "EDU-UNVERIFIED", "EDU-UNSUPPORTED",
        "EXP-NO-PROOF", "EXP-PROOF-MISSING", "EXP-GAP", "EXP-OVERLAP",
    }  # fmt: skip
    assert {rules.category_of(code) for code in rules.RULES} == set(Category.values)


def test_education_level_agrees_with_the_model():
    from archives.models import EDUCATION_ALIASES, Education

    for text in [*Education.values, *EDUCATION_ALIASES, " 本科 ", "", "某培训班"]:
        assert rules.education_level(text) == Education.level(text)
