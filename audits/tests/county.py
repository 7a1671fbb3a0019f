"""A test county for detection: realistic dossiers from a fixed seed, with known planted problems.

Independent of ``archives/demo.py``. :func:`plan_county` builds plain plans (no database): most
dossiers are *normal* in the shapes practitioners meet — full-time and in-service degrees
recorded as such, nested study periods, concurrent posts and secondments inside the main line,
gaps of a few months and one-month overlaps between posts, applications supplied after joining,
earlier determinations (认定表, 批复) that settled a value older materials disagree with,
weeded materials, birth dates known to the month only — and a known set carry one planted
problem per rule (and a few problems of several rules on one subject). Each plan says which
findings detection must raise on it: ``{(category, subject, rules)}``. :func:`write_county`
stores the plans in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.utils import timezone

from archives.dates import PartialDate
from archives.models import Cadre, Dossier, Material, MaterialCategory, PeriodKind, ResumePeriod, Unit
from archives.tests.factories import make_id_number
from audits.detection.rules import (
    SUBJECT_BIRTH,
    SUBJECT_EDUCATION,
    SUBJECT_ID_BIRTH,
    SUBJECT_PARTY,
    SUBJECT_PARTY_DOCUMENTS,
    SUBJECT_WORK,
    add_months,
    pair_subject,
    period_subject,
)
from audits.models import AuditCase, Category

NOW = PartialDate(2026, 6)
SEED = 20261202

Expected = tuple[str, str, tuple[str, ...]]  # (category, subject, rules)


def D(year: int, month: int, day: int | None = None) -> PartialDate:
    return PartialDate(year, month, day)


@dataclass
class PlannedMaterial:
    code: str
    title: str
    formed: PartialDate
    birth: PartialDate | None = None
    work: PartialDate | None = None
    party: PartialDate | None = None
    education: str = ""
    study_mode: str = ""
    altered: bool = False
    weeded: bool = False


@dataclass
class PlannedPeriod:
    start: PartialDate
    end: PartialDate | None
    post: str
    proof: str
    kind: str = PeriodKind.POST


@dataclass
class Plan:
    seq: int
    birth: PartialDate
    work: PartialDate
    party: PartialDate | None
    education: str
    study_mode: str
    graduation: PartialDate | None
    verification: str
    materials: list[PlannedMaterial] = field(default_factory=list)
    periods: list[PlannedPeriod] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    expected: set[Expected] = field(default_factory=set)
    id_birth: PartialDate | None = None  # the birth date in the ID number (default: ``birth``)
    plant: str = ""

    @property
    def id_number(self) -> str:
        return make_id_number(self.seq, self.id_birth or self.birth)

    def titled(self, title: str) -> list[PlannedMaterial]:
        return [m for m in self.materials if m.title == title]

    def one(self, title: str) -> PlannedMaterial:
        [material] = self.titled(title)
        return material

    def main_line(self) -> list[PlannedPeriod]:
        return [p for p in self.periods if p.kind == PeriodKind.POST]

    def expect(self, category: str, subject: str, *rules: str) -> None:
        self.expected.add((category, subject, rules))


# --- normal dossiers ------------------------------------------------------------------------

UNITS = ["县委办公室", "县政府办公室", "县委组织部", "县发展和改革委员会", "县财政局", "县教育局", "某镇党委", "某镇人民政府"]
POSTS = ["科员", "副主任科员", "副股长", "股长", "副局长", "副主任", "党委委员", "副镇长"]

PATHS = ("bachelor", "bachelor", "bachelor", "college_then_correspondence", "bachelor_then_party_school", "secondary_then_college", "high_school")
IN_SERVICE_BACHELOR = ("函授本科毕业证书", "省委党校大学本科毕业证书", "自学考试本科毕业证书")
IN_SERVICE_MASTER = ("中央党校研究生班毕业证书", "在职研究生毕业证书")


def normal_plan(
    rng: random.Random,
    seq: int,
    *,
    path: str | None = None,
    member: bool | None = None,
    variants: bool = True,
    nested: bool = True,
    work_offset: int | None = None,
    party_age: int | None = None,
    transitions: list[int] | None = None,
) -> Plan:
    """A consistent dossier. ``variants`` adds the optional normal shapes (earlier
    determinations, supplied applications, weeded materials); ``nested`` the nested periods;
    ``transitions`` fixes the months between consecutive posts (negative: an overlap)."""
    path = path or rng.choice(PATHS)
    year = rng.randint(1966, 1994)
    if path in ("college_then_correspondence", "secondary_then_college"):
        year = min(year, 1992)
    if path == "bachelor_then_party_school":
        year = min(year, 1984)
    birth = D(year, rng.randint(1, 12), rng.randint(1, 28) if rng.random() < 0.75 else None)

    first_level, education, study_mode = {
        "bachelor": ("大学本科", "大学本科", "全日制"),
        "college_then_correspondence": ("大学专科", "大学本科", "在职"),
        "bachelor_then_party_school": ("大学本科", "研究生", "在职"),
        "secondary_then_college": ("中专", "大学专科", "在职"),
        "high_school": ("高中", "高中", ""),
        "junior": ("初中", "初中", ""),
    }[path]
    age_at_graduation = {"大学本科": 22, "大学专科": 21, "中专": 19, "高中": 18, "初中": 15}[first_level]
    graduation = D(year + age_at_graduation, 7)
    offset = work_offset if work_offset is not None else rng.choice([0, 0, 1, 1, 2, 3, -1])  # -1: reported a month early
    work = add_months(graduation, offset)
    plan = Plan(
        seq=seq,
        birth=birth,
        work=work,
        party=None,
        education=education,
        study_mode=study_mode,
        graduation=graduation if path != "high_school" or rng.random() < 0.5 else None,
        verification=f"RZ{seq:06d}" if education not in ("高中", "初中") else "",
        shapes=[path],
    )
    add = plan.materials.append

    # Schooling and recruitment.
    school_title = {"高中": "高中毕业生登记表", "初中": "初中毕业证书", "中专": "中专毕业生登记表"}.get(first_level, "毕业生登记表")
    add(PlannedMaterial("4-1", school_title, D(graduation.year, 6), birth=birth, education=first_level, study_mode="全日制"))
    if first_level == "大学本科":
        add(PlannedMaterial("4-1", "学士学位证书", D(graduation.year, 7), education="大学本科"))
    if first_level in ("高中", "初中"):
        recruit = PlannedMaterial("9", "招工审批表", work, birth=birth, work=work)
    else:
        recruit = PlannedMaterial("9", "毕业生就业报到证", work, work=work)
    add(recruit)
    add(PlannedMaterial("9", "转正定级表", add_months(work, 12), work=work))
    add(PlannedMaterial("1", "干部履历表", add_months(work, 14), birth=birth, work=work, education=first_level))
    for n in sorted(rng.sample(range(1, 8), 3)):
        if work.year + n < NOW.year:
            add(PlannedMaterial("3", "年度考核登记表", D(work.year + n, 12)))

    # In-service study and the nested period that records it.
    study: PlannedPeriod | None = None
    if path in ("college_then_correspondence", "bachelor_then_party_school", "secondary_then_college"):
        start = add_months(work, 26 if path != "bachelor_then_party_school" else 110)
        end = add_months(start, 30)
        title = {
            "college_then_correspondence": rng.choice(IN_SERVICE_BACHELOR),
            "bachelor_then_party_school": rng.choice(IN_SERVICE_MASTER),
            "secondary_then_college": "广播电视大学大专毕业证书",
        }[path]
        # Most certificates say 在职 themselves; some only by their name (函授, 党校 …).
        add(PlannedMaterial("4-1", title, end, education=education, study_mode="在职" if rng.random() < 0.7 else ""))
        where = "省委党校" if "党校" in title else "某大学"
        study = PlannedPeriod(start, end, f"其间：{start}—{end}在{where}在职{education}学习", title, PeriodKind.STUDY)
        plan.shapes.append("in-service degree")

    # Party membership.
    if member is None:
        member = rng.random() < 0.75 and path != "junior"
    if member:
        if party_age is not None:
            party = D(year + party_age, rng.randint(1, 12))
        elif first_level == "大学本科" and rng.random() < 0.25:
            party = D(graduation.year, 5)  # joined at university
            plan.shapes.append("joined at university")
        else:
            party = add_months(work, rng.randint(24, 90))
        party = min(party, D(2023, 6), key=PartialDate.sort_key)
        plan.party = party
        add(PlannedMaterial("6", "入党申请书", add_months(party, -rng.randint(12, 40))))
        add(PlannedMaterial("6", "入党志愿书", party, party=party))
        add(PlannedMaterial("6", "入党转正申请书", add_months(party, 11)))

    # The latest 干部履历表 records what current information says today.
    later = max(D(work.year + 9, 3), add_months(plan.party or work, 3), add_months(study.end, 2) if study else work, key=PartialDate.sort_key)
    if later.sort_key() < NOW.sort_key():
        add(
            PlannedMaterial(
                "1",
                "干部履历表",
                later,
                birth=birth,
                work=work,
                party=plan.party if plan.party and plan.party.sort_key() <= later.sort_key() else None,
                education=education,
            )
        )

    _resume(rng, plan, transitions=transitions)
    if study is not None:
        plan.periods.append(study)
    if nested:
        _nested(rng, plan)
    if variants:
        _variants(rng, plan)
    return plan


def _resume(rng: random.Random, plan: Plan, *, transitions: list[int] | None) -> None:
    """The main line from the work-start date to the present, each post proved by its
    任免审批表 (the first by the recruitment document)."""
    start = plan.work
    n = 0
    while True:
        months = rng.randint(30, 80)
        end = add_months(start, months)
        unit, post = UNITS[(plan.seq + n) % len(UNITS)], POSTS[min(n, len(POSTS) - 1)]
        if n == 0:
            proof = next(m.title for m in plan.materials if m.code == "9")  # the 报到证 or 招工审批表
        else:
            proof = "干部任免审批表"
            plan.materials.append(PlannedMaterial("9-2", proof, start))
        last = end.sort_key() >= D(2024, 1).sort_key()
        plan.periods.append(PlannedPeriod(start, None if last else end, f"{unit}{post}", proof))
        if last:
            return
        fixed = transitions is not None and n < len(transitions)
        step = transitions[n] if fixed else rng.choice([0, 0, 0, 0, 1, 2, 3, 5, -1])  # gaps up to 6 months, overlaps up to 1
        start = add_months(end, step)
        n += 1


def _nested(rng: random.Random, plan: Plan) -> None:
    main = plan.main_line()
    roll = rng.random()
    long_posts = [p for p in main[:-1] if p.end is not None and p.end.month_index() - p.start.month_index() >= 36]
    if roll < 0.35 and long_posts:
        post = rng.choice(long_posts)
        start = add_months(post.start, 6)
        plan.periods.append(PlannedPeriod(start, add_months(start, 24), f"其间：兼任{post.post[:4]}机关工会主席", "干部任免审批表", PeriodKind.CONCURRENT))
        plan.shapes.append("concurrent post")
    elif roll < 0.55 and long_posts:
        post = rng.choice(long_posts)
        start = add_months(post.start, 3)
        plan.periods.append(PlannedPeriod(start, add_months(start, 12), "其间：挂职某市某局副局长", "干部任免审批表", PeriodKind.SECONDMENT))
        plan.shapes.append("secondment")
    elif roll < 0.65:
        # Induction training that began a month before the first post: within the tolerance.
        start = add_months(plan.work, -1)
        plan.periods.append(PlannedPeriod(start, add_months(plan.work, 2), "其间：参加新录用公务员初任培训", "干部履历表", PeriodKind.STUDY))
        plan.shapes.append("training a month before the first post")


def _variants(rng: random.Random, plan: Plan) -> None:
    roll = rng.random()
    if roll < 0.12:
        # An earlier audit settled the birth date; an older, altered record says otherwise.
        plan.materials.append(PlannedMaterial("6", "入团志愿书", D(plan.birth.year + 15, 5), birth=D(plan.birth.year - 1, plan.birth.month), altered=True))
        plan.materials.append(PlannedMaterial("5", "干部人事档案专项审核认定表", D(2019, 6, 28), birth=plan.birth))
        plan.shapes.append("birth date settled in 2019")
    elif roll < 0.2 and plan.party is not None and plan.party.sort_key() < D(2018, 1).sort_key():
        # An approval settled the party date the 入党志愿书 records otherwise.
        volunteer = plan.one("入党志愿书")
        volunteer.party = add_months(plan.party, -2)
        for m in plan.titled("干部履历表"):
            m.party = None
        plan.materials.append(PlannedMaterial("5", "关于同志入党时间认定的批复", D(2018, 9), party=plan.party))
        plan.shapes.append("party date settled by a 批复")
    elif roll < 0.3 and plan.party is not None:
        # The original application is lost; a copy was supplied during this audit.
        for m in plan.titled("入党申请书"):
            plan.materials.remove(m)
        plan.materials.append(PlannedMaterial("6", "入党申请书", D(2026, rng.randint(1, 4))))
        plan.shapes.append("supplied 入党申请书")
    elif roll < 0.38:
        plan.materials.append(
            PlannedMaterial("10", "干部登记表（已剔除）", D(plan.work.year + 2, 3), birth=D(plan.birth.year + 2, 1), altered=True, weeded=True)
        )
        plan.shapes.append("weeded conflicting material")


# --- planted problems -----------------------------------------------------------------------


def _shift_birth(plan: Plan, birth: PartialDate) -> None:
    plan.birth = birth
    plan.id_birth = birth  # the ID number was changed with it


def _second_post(plan: Plan) -> PlannedPeriod:
    return plan.main_line()[1]


PLANTS = {}


def plant(name: str, **base):
    def register(function):
        PLANTS[name] = (base, function)
        return function

    return register


@plant("AGE-EARLIEST", variants=False)
def _(plan):
    # Current information one year later than every material (早大改小).
    _shift_birth(plan, D(plan.birth.year + 1, plan.birth.month, plan.birth.day))
    plan.expect(Category.AGE, SUBJECT_BIRTH, "AGE-EARLIEST")


@plant("AGE-DISAGREE", variants=False)
def _(plan):
    plan.materials.append(PlannedMaterial("1", "干部登记表", D(plan.work.year + 3, 3), birth=D(plan.birth.year, plan.birth.month % 12 + 1)))
    plan.expect(Category.AGE, SUBJECT_BIRTH, "AGE-DISAGREE")


@plant("AGE-ALTERED", variants=False)
def _(plan):
    plan.materials.append(PlannedMaterial("1", "干部登记表", D(plan.work.year + 4, 3), birth=plan.birth, altered=True))
    plan.expect(Category.AGE, SUBJECT_BIRTH, "AGE-ALTERED")


@plant("AGE-EARLIEST+DISAGREE+ALTERED", variants=False, path="bachelor")
def _(plan):
    plan.one("毕业生登记表").birth = D(plan.birth.year - 1, plan.birth.month)  # the earliest record
    plan.materials.append(PlannedMaterial("1", "干部登记表", D(plan.work.year + 4, 3), birth=plan.birth, altered=True))
    plan.expect(Category.AGE, SUBJECT_BIRTH, "AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED")


@plant("AGE-ID")
def _(plan):
    plan.id_birth = D(plan.birth.year, plan.birth.month % 12 + 1, 15)
    plan.expect(Category.AGE, SUBJECT_ID_BIRTH, "AGE-ID")


@plant("AGE-EARLIEST settled", variants=False)
def _(plan):
    plan.materials.append(PlannedMaterial("6", "入团志愿书", D(plan.birth.year + 15, 5), birth=D(plan.birth.year - 1, plan.birth.month), altered=True))
    plan.materials.append(PlannedMaterial("5", "干部人事档案专项审核认定表", D(2019, 6, 28), birth=plan.birth))
    _shift_birth(plan, add_months(plan.birth, 3))  # current information changed after the determination
    plan.expect(Category.AGE, SUBJECT_BIRTH, "AGE-EARLIEST")


@plant("WORK-EARLIEST", variants=False)
def _(plan):
    plan.work = add_months(plan.work, 12)  # current information only; the résumé still starts at the first post
    plan.expect(Category.WORK, SUBJECT_WORK, "WORK-EARLIEST")


@plant("WORK-DISAGREE", variants=False)
def _(plan):
    plan.materials.append(PlannedMaterial("9-1", "工资审批表", add_months(plan.work, 30), work=add_months(plan.work, 6)))
    plan.expect(Category.WORK, SUBJECT_WORK, "WORK-DISAGREE")


@plant("WORK-ALTERED", variants=False)
def _(plan):
    plan.one("转正定级表").altered = True
    plan.expect(Category.WORK, SUBJECT_WORK, "WORK-ALTERED")


@plant("WORK-UNDER-16", variants=False, path="junior", member=False)
def _(plan):
    plan.expect(Category.WORK, SUBJECT_WORK, "WORK-UNDER-16")


@plant("WORK-BEFORE-GRADUATION", variants=False, path="bachelor", work_offset=-36)
def _(plan):
    # 定向/委培: the work-start date is the enrolment; the rule reminds the auditor to check.
    plan.expect(Category.WORK, SUBJECT_WORK, "WORK-BEFORE-GRADUATION")


@plant("PARTY-VOLUNTEER", variants=False, member=True)
def _(plan):
    for m in plan.titled("干部履历表"):
        m.party = None
    plan.party = add_months(plan.party, 2)
    plan.expect(Category.PARTY, SUBJECT_PARTY, "PARTY-VOLUNTEER")


@plant("PARTY-DISAGREE", variants=False, member=True)
def _(plan):
    plan.materials.append(PlannedMaterial("6", "党员登记表", add_months(plan.party, 60), party=add_months(plan.party, 12)))
    plan.expect(Category.PARTY, SUBJECT_PARTY, "PARTY-DISAGREE")


@plant("PARTY-ALTERED", variants=False, member=True)
def _(plan):
    plan.one("入党志愿书").altered = True
    plan.expect(Category.PARTY, SUBJECT_PARTY, "PARTY-ALTERED")


@plant("PARTY-NO-VOLUNTEER", variants=False, member=True)
def _(plan):
    plan.materials.remove(plan.one("入党志愿书"))
    plan.expect(Category.PARTY, SUBJECT_PARTY_DOCUMENTS, "PARTY-NO-VOLUNTEER")


@plant("PARTY-NO-APPLICATION", variants=False, member=True)
def _(plan):
    plan.materials.remove(plan.one("入党申请书"))
    plan.expect(Category.PARTY, SUBJECT_PARTY_DOCUMENTS, "PARTY-NO-APPLICATION")


@plant("PARTY-NO-VOLUNTEER+NO-APPLICATION", variants=False, member=True)
def _(plan):
    plan.materials.remove(plan.one("入党志愿书"))
    plan.materials.remove(plan.one("入党申请书"))
    plan.expect(Category.PARTY, SUBJECT_PARTY_DOCUMENTS, "PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION")


@plant("PARTY-APPLICATION-LATE", variants=False, member=True)
def _(plan):
    plan.one("入党申请书").formed = add_months(plan.party, -5)
    plan.expect(Category.PARTY, SUBJECT_PARTY_DOCUMENTS, "PARTY-APPLICATION-LATE")


@plant("PARTY-UNDER-18", variants=False, member=True, path="bachelor", party_age=17)
def _(plan):
    plan.expect(Category.PARTY, SUBJECT_PARTY, "PARTY-UNDER-18")


@plant("PARTY-UNRECORDED", variants=False, member=False)
def _(plan):
    plan.titled("干部履历表")[-1].party = add_months(plan.work, 40)
    plan.expect(Category.PARTY, SUBJECT_PARTY, "PARTY-UNRECORDED")


@plant("EDU-UNVERIFIED", path="bachelor")
def _(plan):
    plan.verification = ""
    plan.expect(Category.EDUCATION, SUBJECT_EDUCATION, "EDU-UNVERIFIED")


@plant("EDU-UNSUPPORTED", variants=False, path="bachelor")
def _(plan):
    for m in plan.materials:
        if m.education:
            m.education = "大学专科"
    plan.expect(Category.EDUCATION, SUBJECT_EDUCATION, "EDU-UNSUPPORTED")


@plant("EDU-ALTERED", variants=False, path="bachelor")
def _(plan):
    plan.one("学士学位证书").altered = True
    plan.expect(Category.EDUCATION, SUBJECT_EDUCATION, "EDU-ALTERED")


@plant("EDU-MODE-MISMATCH", variants=False, path="college_then_correspondence")
def _(plan):
    plan.study_mode = "全日制"  # an in-service 本科 entered as full-time
    plan.expect(Category.EDUCATION, SUBJECT_EDUCATION, "EDU-MODE-MISMATCH")


@plant("EDU-MODE-MISMATCH by title", variants=False, path="bachelor_then_party_school")
def _(plan):
    plan.study_mode = "全日制"
    for m in plan.materials:
        if m.education == "研究生":
            m.study_mode = ""  # only its name (党校 / 在职) tells
    plan.expect(Category.EDUCATION, SUBJECT_EDUCATION, "EDU-MODE-MISMATCH")


@plant("EXP-NO-PROOF", variants=False, nested=False)
def _(plan):
    post = _second_post(plan)
    post.proof = ""
    plan.expect(Category.EXPERIENCE, period_subject(post.start), "EXP-NO-PROOF")


@plant("EXP-PROOF-MISSING")
def _(plan):
    post = _second_post(plan)
    post.proof = "干部考察材料"
    plan.expect(Category.EXPERIENCE, period_subject(post.start), "EXP-PROOF-MISSING")


@plant("EXP-GAP", variants=False, nested=False, transitions=[10])
def _(plan):
    first, second = plan.main_line()[:2]
    plan.expect(Category.EXPERIENCE, pair_subject(first.start, second.start), "EXP-GAP")


@plant("EXP-OVERLAP", variants=False, nested=False, transitions=[-5])
def _(plan):
    first, second = plan.main_line()[:2]
    plan.expect(Category.EXPERIENCE, pair_subject(first.start, second.start), "EXP-OVERLAP")


@plant("EXP-NESTED-OUTSIDE", variants=False, nested=False, path="bachelor")
def _(plan):
    start = add_months(plan.work, -14)
    plan.periods.append(PlannedPeriod(start, add_months(plan.work, -2), "其间：在县委党校青年干部培训班学习", "干部履历表", PeriodKind.STUDY))
    plan.expect(Category.EXPERIENCE, period_subject(start, PeriodKind.STUDY), "EXP-NESTED-OUTSIDE")


@plant("EXP-NO-PROOF+NESTED-OUTSIDE", variants=False, nested=False, path="bachelor")
def _(plan):
    start = add_months(plan.work, -20)
    plan.periods.append(PlannedPeriod(start, add_months(plan.work, -8), "其间：在某大学在职学习", "", PeriodKind.STUDY))
    plan.expect(Category.EXPERIENCE, period_subject(start, PeriodKind.STUDY), "EXP-NO-PROOF", "EXP-NESTED-OUTSIDE")


# --- the county -------------------------------------------------------------------------------


def plan_county(*, seed: int = SEED, normal: int = 60) -> list[Plan]:
    """``normal`` consistent dossiers and one dossier per plant, in a shuffled order."""
    rng = random.Random(seed)
    plans = [normal_plan(rng, seq) for seq in range(normal)]
    for seq, (name, (base, function)) in enumerate(PLANTS.items(), start=normal):
        plan = normal_plan(rng, seq, **base)
        function(plan)
        plan.plant = name
        plans.append(plan)
    rng.shuffle(plans)
    return plans


def write_county(plans: list[Plan], campaign) -> dict[str, Plan]:
    """Cadres, dossiers, materials, résumés and one open case each; returns id number → plan."""
    categories = {c.code: c for c in MaterialCategory.objects.all()}
    root, _ = Unit.objects.get_or_create(name="测试县", parent=None)
    unit, _ = Unit.objects.get_or_create(name="县直机关", parent=root)
    cadres = Cadre.objects.bulk_create(
        [
            Cadre(
                name=f"测试干部{plan.seq:03d}",
                gender="男",
                id_number=plan.id_number,
                unit=unit,
                rank="科员",
                birth_date=plan.birth,
                work_start_date=plan.work,
                party_join_date=plan.party,
                education=plan.education,
                study_mode=plan.study_mode,
                verification_number=plan.verification,
                full_time_graduation_date=plan.graduation,
            )
            for plan in plans
        ]
    )
    dossiers = Dossier.objects.bulk_create([Dossier(cadre=cadre) for cadre in cadres])
    weeded_at = timezone.now()
    materials, periods = [], []
    for plan, cadre, dossier in zip(plans, cadres, dossiers, strict=True):
        for m in plan.materials:
            materials.append(
                Material(
                    dossier=dossier,
                    category=categories[m.code],
                    title=m.title,
                    formed_date=m.formed,
                    pages=2,
                    recorded_birth_date=m.birth,
                    recorded_work_start_date=m.work,
                    recorded_party_date=m.party,
                    recorded_education=m.education,
                    recorded_study_mode=m.study_mode,
                    altered=m.altered,
                    weeded_at=weeded_at if m.weeded else None,
                )
            )
        for p in plan.periods:
            periods.append(ResumePeriod(cadre=cadre, start=p.start, end=p.end, unit_and_post=p.post, proof_material=p.proof, kind=p.kind))
    Material.objects.bulk_create(materials)
    ResumePeriod.objects.bulk_create(periods)
    AuditCase.objects.bulk_create([AuditCase(campaign=campaign, dossier=dossier) for dossier in dossiers])
    return {plan.id_number: plan for plan in plans}
