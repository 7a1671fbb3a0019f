"""A realistic demo county for `seed_demo`: units, cadres with current information, dossier
catalogues and résumés, with discrepancies of every category planted in them.

Generation is deterministic for a given seed, so running it twice creates nothing new. Each
cadre draws its identity, catalogue, résumé and the first planted problems from the county's
random sequence; what came later (the full-time graduation, in-service degrees, nested periods,
earlier determinations, supplied applications and the problems of the newer rules) draws from a
second sequence of its own, so adding it changed none of the people a database already holds.

``planted`` names the problems planted in a cadre (each a DETECTION_RULES.md rule, in lower
case); ``shown`` names what is there to be seen and must raise nothing (nested periods, an
in-service degree, an earlier 认定表 settling older materials, a supplied 入党申请书).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .dates import PartialDate
from .idnumber import check_character
from .models import PeriodKind, StudyMode

COUNTY = "某县"
UNITS = [
    "县委办公室",
    "县政府办公室",
    "县委组织部",
    "县委宣传部",
    "县纪委监委",
    "县发展和改革委员会",
    "县财政局",
    "县教育局",
    "县公安局",
    "县卫生健康委员会",
    "县农业农村局",
    "县自然资源局",
    "城关镇",
    "东河乡",
    "西山镇",
    "南湖乡",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏建红飞宇鑫波斌宁凯浩亮志海燕晶欣佳琳晨辉雪梅林峰颖慧丹婷倩俊文博睿琦喆"
ETHNICITIES = ["汉族"] * 18 + ["回族", "壮族"]
RANK_WEIGHTS = [("正处级", 2), ("副处级", 5), ("正科级", 14), ("副科级", 28), ("科员", 42), ("办事员", 9)]
COUNTY_LEADER_POSTS = {
    "正处级": ["县委常委、常务副县长", "县委常委、组织部部长", "县委常委、县委办公室主任"],
    "副处级": ["副县长", "县人大常委会副主任", "县政协副主席"],
}


def position_for(rng: random.Random, unit: str, rank: str) -> str:
    """A post that fits the unit and the rank (a township has a 乡长, a bureau a 局长)."""
    if rank in COUNTY_LEADER_POSTS:
        return rng.choice(COUNTY_LEADER_POSTS[rank])
    if unit.endswith(("乡", "镇")):
        head = unit[-1] + "长"
        posts = {"正科级": ["党委书记", head], "副科级": ["党委副书记", "副" + head, "党委委员"]}
    elif unit.endswith("部"):
        posts = {"正科级": ["常务副部长"], "副科级": ["副部长", "办公室主任"]}
    elif unit.endswith("办公室"):
        posts = {"正科级": ["主任"], "副科级": ["副主任"]}
    elif unit.endswith("纪委监委"):
        posts = {"正科级": ["副书记、副主任"], "副科级": ["纪检监察室主任"]}
    else:
        posts = {"正科级": ["局长", "党组书记"] if unit.endswith("局") else ["主任", "党组书记"], "副科级": ["副局长" if unit.endswith("局") else "副主任"]}
    posts.update({"科员": ["科员", "一级科员", "四级主任科员"], "办事员": ["办事员"]})
    return rng.choice(posts[rank])


SCHOOLS = {
    "研究生": ["安徽大学", "中国科学技术大学", "南京大学"],
    "大学本科": ["安徽大学", "安徽师范大学", "合肥工业大学", "安徽农业大学", "阜阳师范大学"],
    "大学专科": ["安徽广播电视大学", "合肥师范学院", "安徽职业技术学院"],
    "中专": ["县师范学校", "安徽省财贸学校", "省农业学校"],
    "高中": ["县第一中学"],
}
MAJORS = ["汉语言文学", "法学", "行政管理", "会计学", "计算机科学与技术", "农学", "经济学", "思想政治教育"]


@dataclass
class DemoMaterial:
    category: str
    title: str
    formed: PartialDate
    pages: int
    birth: PartialDate | None = None
    work: PartialDate | None = None
    party: PartialDate | None = None
    education: str = ""
    altered: bool = False
    study_mode: str = ""
    note: str = ""


@dataclass
class DemoPeriod:
    start: PartialDate
    end: PartialDate | None
    unit_and_post: str
    proof: str
    kind: str = PeriodKind.POST


@dataclass
class DemoCadre:
    name: str
    gender: str
    ethnicity: str
    id_number: str
    unit: str
    position: str
    rank: str
    birth: PartialDate
    work: PartialDate
    party: PartialDate | None
    education: str
    degree: str
    school: str
    major: str
    study_mode: str
    verification: str
    graduation: PartialDate | None = None  # 全日制毕业时间
    materials: list[DemoMaterial] = field(default_factory=list)
    periods: list[DemoPeriod] = field(default_factory=list)  # the main line, then the nested periods
    nested: list[DemoPeriod] = field(default_factory=list)  # gathered apart, joined to periods at the end
    planted: list[str] = field(default_factory=list)  # which problems were planted, for the demo's own tests
    shown: list[str] = field(default_factory=list)  # what is shown that must raise nothing


def _month(rng: random.Random, year: int, precise: bool) -> PartialDate:
    month = rng.randint(1, 12)
    return PartialDate(year, month, rng.randint(1, 28) if precise else None)


def _shift_months(date: PartialDate, months: int) -> PartialDate:
    index = date.month_index() + months
    return PartialDate(index // 12, index % 12 + 1, date.day)


def _id_number(rng: random.Random, birth: PartialDate, gender: str, serial: int) -> str:
    area = rng.choice(["341122", "341124", "341125", "341126"])
    order = (serial % 450) * 2 + (1 if gender == "男" else 0) + 100
    if gender == "女" and order % 2:
        order += 1
    first17 = f"{area}{birth.year:04d}{birth.month:02d}{birth.day or 1:02d}{order % 1000:03d}"
    return first17 + check_character(first17)


def generate(count: int, seed: int) -> list[DemoCadre]:
    rng = random.Random(seed)
    cadres = []
    used_ids = set()
    for serial in range(count):
        cadre = _generate_one(rng, serial, random.Random(f"{seed}:{serial}"))
        if cadre.id_number in used_ids:
            continue
        used_ids.add(cadre.id_number)
        cadres.append(cadre)
    return cadres


def _generate_one(rng: random.Random, serial: int, extra: random.Random) -> DemoCadre:
    gender = rng.choice(["男", "男", "女"])
    birth = PartialDate(rng.randint(1966, 1998), rng.randint(1, 12), rng.randint(1, 28))
    rank = rng.choices([r for r, _ in RANK_WEIGHTS], weights=[w for _, w in RANK_WEIGHTS])[0]
    education = rng.choices(["研究生", "大学本科", "大学专科", "中专", "高中"], weights=[6, 52, 28, 10, 4])[0]
    grad_age = {"研究生": 25, "大学本科": 22, "大学专科": 21, "中专": 18, "高中": 18}[education]
    work = _month(rng, birth.year + grad_age + rng.randint(0, 1), precise=False)
    if work.first_day() > PartialDate(2025, 6).first_day():
        work = PartialDate(2025, 7)
    member = rng.random() < 0.72
    party = _month(rng, min(work.year + rng.randint(1, 8), 2024), precise=False) if member else None
    degree = {"研究生": "硕士", "大学本科": "学士"}.get(education, "")
    study_mode = "全日制" if rng.random() < 0.8 else "在职"
    if education not in IN_SERVICE_LOWER:
        study_mode = "全日制"  # 中专 and 高中 are full-time schooling in this county
    verification = (
        f"{'1' if study_mode == '全日制' else '2'}{rng.randint(10**12, 10**13 - 1)}" if education in ("研究生", "大学本科", "大学专科", "中专") else ""
    )
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
    # County leaders sit in the two general offices; everyone else anywhere.
    unit = rng.choice(UNITS[:2]) if rank in COUNTY_LEADER_POSTS else rng.choice(UNITS)
    cadre = DemoCadre(
        name=name,
        gender=gender,
        ethnicity=rng.choice(ETHNICITIES),
        id_number=_id_number(rng, birth, gender, serial),
        unit=f"{COUNTY}/{unit}",
        position=position_for(rng, unit, rank),
        rank=rank,
        birth=birth,
        work=work,
        party=party,
        education=education,
        degree=degree,
        school=rng.choice(SCHOOLS[education]),
        major=rng.choice(MAJORS),
        study_mode=study_mode,
        verification=verification,
    )
    _add_materials(rng, cadre, grad_age)
    _add_periods(rng, cadre)
    _add_schooling(extra, cadre, grad_age)
    _plant(rng, cadre)
    if "work-under-16" in cadre.planted:
        cadre.graduation = None  # that cadre shows one problem, not also work before graduation
    _add_nested(extra, cadre)
    _show_settled(extra, cadre)
    _show_supplied_application(extra, cadre)
    _plant_newer(extra, cadre)
    cadre.periods += sorted(cadre.nested, key=lambda p: p.start.sort_key())
    return cadre


def _add_materials(rng: random.Random, c: DemoCadre, grad_age: int) -> None:
    b, w = c.birth, c.work
    add = c.materials.append
    add(DemoMaterial("2", "入团志愿书", _month(rng, b.year + 15, False), 4, birth=b))
    add(DemoMaterial("4-1", "中学学籍登记表", _month(rng, b.year + 13, False), 2, birth=b))
    add(DemoMaterial("4-1", "毕业生登记表", PartialDate(b.year + grad_age, 6), 4, birth=b, education=c.education))
    add(DemoMaterial("1", "招工（录用）登记表", w, 2, birth=b, work=w))
    add(DemoMaterial("9-1", "转正定级审批表", _shift_months(w, 12), 2, birth=b, work=w))
    add(DemoMaterial("1", "干部履历表", _shift_months(w, rng.randint(12, 60)), 8, birth=b, work=w, education=c.education))
    later_resume = _shift_months(w, rng.randint(120, 200))
    if later_resume.first_day() < PartialDate(2025, 1).first_day():
        add(DemoMaterial("1", "干部履历表", later_resume, 8, birth=b, work=w, party=c.party, education=c.education))
    for k in range(rng.randint(2, 4)):
        year = min(w.year + 2 + k * 3, 2025)
        add(DemoMaterial("3", "年度考核登记表", PartialDate(year, 12), 1))
    if c.party:
        add(DemoMaterial("6", "入党申请书", _shift_months(c.party, -rng.randint(15, 40)), 2))
        add(DemoMaterial("6", "入党志愿书", c.party, 8, birth=b, party=c.party))
        add(DemoMaterial("6", "预备党员转正申请书", _shift_months(c.party, 12), 2))
    if c.education in ("研究生", "大学本科", "大学专科", "中专") and c.verification:
        add(DemoMaterial("4-1", "学历证书复印件及学历认证报告", PartialDate(b.year + grad_age, 7), 2, education=c.education))
    if c.rank in ("正处级", "副处级", "正科级", "副科级"):
        add(DemoMaterial("9-2", "干部任免审批表", _shift_months(w, rng.randint(60, 200)) if w.year < 2010 else PartialDate(2024, 3), 2))
    add(DemoMaterial("9-1", "工资变动审批表", PartialDate(min(w.year + 5, 2025), 10), 1))


def _add_periods(rng: random.Random, c: DemoCadre) -> None:
    unit = c.unit.split("/")[-1]
    start = c.work
    steps = rng.randint(3, 5)
    # Earlier posts climb a ladder that ends below the current one; the last period is today's post.
    ladder = ["办事员", "科员"] if c.rank in ("科员", "办事员") else ["科员", "科员", "副主任科员", "主任科员"]
    for i in range(steps):
        last = i == steps - 1
        length = rng.randint(24, 72)
        end = None if last else _shift_months(start, length)
        if end is not None and end.first_day() > PartialDate(2025, 6).first_day():
            end, last = None, True
        proof = "干部履历表" if i else "招工（录用）登记表"
        if i >= 2:
            proof = "干部任免审批表" if c.rank in ("正处级", "副处级", "正科级", "副科级") else "干部履历表"
        c.periods.append(
            DemoPeriod(
                PartialDate(start.year, start.month),
                PartialDate(end.year, end.month) if end else None,
                f"{'某' if unit.startswith('县') else COUNTY}{unit}{c.position if last else ladder[min(i, len(ladder) - 1)]}",
                proof,
            )
        )
        if last:
            break
        start = _shift_months(end, 1)


def _material(c: DemoCadre, title: str) -> DemoMaterial | None:
    return next((m for m in c.materials if m.title == title), None)


def _plant(rng: random.Random, c: DemoCadre) -> None:
    """Plant problems of the kinds real audits find, in roughly a third of the cadres."""
    roll = rng.random()
    if roll < 0.06:
        # 早大改小: the earliest materials the cadre filled in give an earlier birth date.
        for title in ("中学学籍登记表", "入团志愿书"):
            m = _material(c, title)
            m.birth = PartialDate(c.birth.year - 1, c.birth.month, c.birth.day)
        c.planted.append("age-earliest")
    elif roll < 0.08:
        # Current information moved one year later than the ID number and every material.
        c.birth = PartialDate(c.birth.year + 1, c.birth.month, c.birth.day)
        c.planted.append("age-id")
    elif roll < 0.11:
        # 入团志愿书 records the birth date alone: its 涂改 concerns that date only.
        m = _material(c, "入团志愿书")
        m.altered = True
        c.planted.append("age-altered")
    elif roll < 0.13:
        # Lunar calendar written in one later document.
        m = _material(c, "毕业生登记表")
        m.birth = _shift_months(c.birth, -1)
        c.planted.append("age-disagree")
    roll = rng.random()
    if roll < 0.06:
        m = _material(c, "招工（录用）登记表")
        m.work = _shift_months(c.work, -rng.randint(6, 30))
        m.formed = m.work
        c.planted.append("work-earliest")
    elif roll < 0.08:
        c.work = c.birth.add_years(15).truncated()
        for m in c.materials:
            if m.work:
                m.work = c.work
        for m in c.materials:
            if m.title == "招工（录用）登记表":
                m.formed = c.work
        if c.periods:
            c.periods[0].start = c.work
        c.planted.append("work-under-16")
    if c.party:
        roll = rng.random()
        if roll < 0.07:
            m = _material(c, "入党志愿书")
            m.party = _shift_months(c.party, -rng.randint(1, 12))
            c.planted.append("party-volunteer")
        elif roll < 0.12:
            c.materials.remove(_material(c, "入党申请书"))
            c.planted.append("party-no-application")
        elif roll < 0.14:
            _material(c, "入党申请书").formed = _shift_months(c.party, -4)
            c.planted.append("party-application-late")
        elif roll < 0.16:
            c.materials.remove(_material(c, "入党志愿书"))
            c.planted.append("party-no-volunteer")
        elif roll < 0.17:
            c.party = c.birth.add_years(17).truncated()
            for m in c.materials:
                if m.party:
                    m.party = c.party
                if m.title == "入党志愿书":
                    m.formed = c.party
                elif m.title == "入党申请书":
                    m.formed = _shift_months(c.party, -14)
                elif m.title == "预备党员转正申请书":
                    m.formed = _shift_months(c.party, 12)
            c.planted.append("party-under-18")
    elif rng.random() < 0.03:
        _material(c, "干部履历表").party = PartialDate(c.work.year + 2, 7)
        c.planted.append("party-unrecorded")
    roll = rng.random()
    if c.education in ("研究生", "大学本科", "大学专科", "中专"):
        if roll < 0.08:
            c.verification = ""
            c.planted.append("edu-unverified")
        elif roll < 0.12 and c.education in ("大学本科", "研究生"):
            lower = "大学专科" if c.education == "大学本科" else "大学本科"
            for m in c.materials:
                if m.education:
                    m.education = lower
            c.planted.append("edu-unsupported")
    roll = rng.random()
    if roll < 0.08 and len(c.periods) > 1:
        c.periods[1].proof = ""
        c.planted.append("exp-no-proof")
    elif roll < 0.12 and len(c.periods) > 2 and c.periods[2].end:
        c.periods[2].start = _shift_months(c.periods[2].start, 9)
        if c.periods[2].end and c.periods[2].start.first_day() >= c.periods[2].end.first_day():
            c.periods[2].end = _shift_months(c.periods[2].start, 12)
            if len(c.periods) > 3:
                c.periods[3].start = _shift_months(c.periods[2].end, 1)
        c.planted.append("exp-gap")
    elif roll < 0.14 and len(c.periods) > 1:
        c.periods[1].proof = "借调证明"
        c.planted.append("exp-proof-missing")
    elif roll < 0.16 and len(c.periods) > 2 and c.periods[1].end:
        c.periods[2].start = _shift_months(c.periods[1].end, -3)
        c.planted.append("exp-overlap")


# --- schooling, nested periods, earlier determinations (drawn from the cadre's own sequence) ---

# An in-service degree sits one level above the cadre's last full-time schooling.
IN_SERVICE_LOWER = {"研究生": ("大学本科", 22), "大学本科": ("大学专科", 21), "大学专科": ("中专", 18)}
IN_SERVICE_STUDY = {
    "研究生": [("省委党校在职研究生毕业证书", "在省委党校{major}专业在职研究生班学习")],
    "大学本科": [
        ("省委党校在职大学毕业证书", "在省委党校{major}专业在职大学学习"),
        ("函授本科毕业证书", "参加{school}{major}专业函授本科学习"),
    ],
    "大学专科": [
        ("省委党校在职大专毕业证书", "在省委党校{major}专业在职大专学习"),
        ("函授专科毕业证书", "参加{school}{major}专业函授专科学习"),
    ],
}
LAST_DAY = PartialDate(2025, 6)  # the demo's "now" for periods that end: nothing in the future
TRAINING_RECORD = "党校学习培训登记表"
SECONDMENT_RECORD = "干部挂职锻炼审批表"
SETTLING_TITLE = "干部人事档案专项审核认定表"
SUPERVISORS = ("正处级", "副处级", "正科级", "副科级")


def _months_between(start: PartialDate, end: PartialDate | None) -> int:
    return (end or LAST_DAY).month_index() - start.month_index()


def _span(start: PartialDate, end: PartialDate) -> str:
    return f"{start}—{end}"


def _add_schooling(extra: random.Random, c: DemoCadre, grad_age: int) -> None:
    """全日制毕业时间 consistent with the work start, each education material's study mode, and
    for in-service degrees the study itself: a nested 在职学习 period with its certificate."""
    graduated = _material(c, "毕业生登记表")
    certificate = _material(c, "学历证书复印件及学历认证报告")
    hosts = [p for p in c.periods if _months_between(p.start, p.end) >= 30]
    if c.study_mode == StudyMode.IN_SERVICE and not hosts:
        # Too short a career to have studied while working: the degree was full-time after all.
        c.study_mode = StudyMode.FULL_TIME
        c.verification = "1" + c.verification[1:] if c.verification else ""
    if c.study_mode == StudyMode.IN_SERVICE:
        lower, lower_age = IN_SERVICE_LOWER[c.education]
        c.graduation = PartialDate(c.birth.year + lower_age, 7)
        graduated.education, graduated.formed = lower, PartialDate(c.birth.year + lower_age, 6)
    else:
        c.graduation = PartialDate(c.birth.year + grad_age, 7)
        if c.work.month_index() < c.graduation.month_index() - 1:
            # Started work early in the year: graduated the summer before.
            c.graduation = _shift_months(c.graduation, -12)
            graduated.formed = _shift_months(graduated.formed, -12)
            if certificate:
                certificate.formed = _shift_months(certificate.formed, -12)
    graduated.study_mode = StudyMode.FULL_TIME
    if certificate:
        certificate.study_mode = c.study_mode
    if c.study_mode != StudyMode.IN_SERVICE:
        return
    # The in-service study, during a post long enough to hold it (two to three years, inside it).
    host = hosts[min(1, len(hosts) - 1)]
    start = _shift_months(host.start, extra.randint(2, 4))
    end = _shift_months(start, min(extra.randint(24, 34), _months_between(start, host.end) - 1))
    title, text = extra.choice(IN_SERVICE_STUDY[c.education])
    text = text.format(major=c.major, school=c.school if c.school.endswith("大学") else "安徽大学")
    c.nested.append(DemoPeriod(start, end, f"其间：{_span(start, end)}{text}", title, PeriodKind.STUDY))
    c.materials.append(DemoMaterial("4-1", title, end, 2, education=c.education, study_mode=StudyMode.IN_SERVICE))
    if certificate:
        certificate.formed = _shift_months(end, 1)
    for m in c.materials:
        # Résumés filled in before the degree record the schooling the cadre then had.
        if m.title == "干部履历表" and m.education and m.formed.month_index() < end.month_index():
            m.education = IN_SERVICE_LOWER[c.education][0]
    c.shown.append("in-service-degree")


def _host(extra: random.Random, c: DemoCadre, months: int) -> DemoPeriod | None:
    hosts = [p for p in c.periods if _months_between(p.start, p.end) >= months + 2]
    return extra.choice(hosts) if hosts else None


def _add_nested(extra: random.Random, c: DemoCadre) -> None:
    """Periods nested in the main line, as résumés write them (其间): a 党校 training, a 兼职,
    a 挂职. Each lies within a post and has its proof in the catalogue: none is a problem."""
    kinds = {p.kind for p in c.nested}
    if PeriodKind.STUDY not in kinds and extra.random() < 0.25 and (host := _host(extra, c, 6)):
        start = _shift_months(host.start, extra.randint(1, _months_between(host.start, host.end) - 6))
        end = _shift_months(start, extra.randint(2, 4))
        c.nested.append(DemoPeriod(start, end, f"其间：{_span(start, end)}参加县委党校中青年干部培训班学习", TRAINING_RECORD, PeriodKind.STUDY))
        c.materials.append(DemoMaterial("4-4", TRAINING_RECORD, end, 2))
        c.shown.append("nested-study")
    unit = c.unit.split("/")[-1]
    posts = [p for p in c.periods if _months_between(p.start, p.end) >= 14]
    if c.rank in SUPERVISORS and extra.random() < 0.3 and posts:
        # Appointed to the latest post and, the same month, to a concurrent one: both start together.
        host = posts[-1]
        start = host.start
        end = _shift_months(start, min(_months_between(start, host.end) - 1, extra.randint(24, 48)))
        duty = extra.choice(["县关心下一代工作委员会副主任", f"{unit}机关党支部书记", "县总工会委员", "县红十字会理事"])
        c.nested.append(DemoPeriod(start, end, f"其间兼任{duty}", "干部任免审批表", PeriodKind.CONCURRENT))
        c.shown.append("nested-concurrent")
    if extra.random() < 0.12 and (host := _host(extra, c, 14)):
        start = _shift_months(host.start, extra.randint(1, _months_between(host.start, host.end) - 14))
        end = _shift_months(start, 12)
        place = extra.choice(["某乡党委副书记", "某镇党委副书记", "市直某局办公室副主任", "某村党组织第一书记"])
        c.nested.append(DemoPeriod(start, end, f"其间：{_span(start, end)}挂职任{place}", SECONDMENT_RECORD, PeriodKind.SECONDMENT))
        c.materials.append(DemoMaterial("9-2", SECONDMENT_RECORD, start, 2))
        c.shown.append("nested-secondment")


def _untouched(c: DemoCadre, *prefixes: str) -> bool:
    return not any(tag.startswith(prefixes) for tag in c.planted)


def _show_settled(extra: random.Random, c: DemoCadre) -> None:
    """An earlier audit settled the birth date: the 2016 认定表 records what current
    information holds, and the older materials it overruled still disagree."""
    if c.work.year > 2012 or not _untouched(c, "age-", "work-", "party-") or extra.random() >= 0.07:
        return
    for title in ("中学学籍登记表", "入团志愿书"):
        m = _material(c, title)
        m.birth = PartialDate(c.birth.year - 1, c.birth.month, c.birth.day)
    formed = PartialDate(2016, extra.randint(3, 11))
    party = c.party if c.party and c.party.month_index() < formed.month_index() else None
    c.materials.append(DemoMaterial("5", SETTLING_TITLE, formed, 4, birth=c.birth, work=c.work, party=party))
    c.shown.append("birth-settled")


def _show_supplied_application(extra: random.Random, c: DemoCadre) -> None:
    """The 入党申请书 lost and written again years after joining: a supplied copy, no problem."""
    if not c.party or c.party.year > 2014 or not _untouched(c, "party-") or extra.random() >= 0.06:
        return
    application = _material(c, "入党申请书")
    application.formed = _shift_months(c.party, extra.randint(60, 110))
    application.note = f"补充材料：原件遗失，{application.formed.year}年本人补写"
    c.shown.append("application-supplied")


def _plant_newer(extra: random.Random, c: DemoCadre) -> None:
    """Problems of the newer rules, each in a few cadres that have no problem of its kind yet."""
    roll = extra.random()
    if roll < 0.025 and c.graduation and c.work.year <= 2020 and _untouched(c, "work-"):
        # Current information counts work from before the cadre left full-time school (定向/委培
        # study counted as work needs an approval the auditor must find).
        c.graduation = _shift_months(c.work, extra.randint(6, 14))
        _material(c, "毕业生登记表").formed = _shift_months(c.graduation, -1)
        if certificate := _material(c, "学历证书复印件及学历认证报告"):
            certificate.formed = c.graduation
        c.planted.append("work-before-graduation")
    elif roll < 0.045 and _untouched(c, "work-") and "birth-settled" not in c.shown:
        # (Not where an earlier 认定表 settled the work start: it overrules older materials.)
        payroll = _material(c, "工资变动审批表")
        payroll.work, payroll.altered = c.work, True
        c.planted.append("work-altered")
    roll = extra.random()
    if roll < 0.03 and c.party and _untouched(c, "party-") and not {"application-supplied", "birth-settled"} & set(c.shown):
        confirmation = _material(c, "预备党员转正申请书")
        confirmation.party, confirmation.altered = c.party, True
        c.planted.append("party-altered")
    roll = extra.random()
    certificate = _material(c, "学历证书复印件及学历认证报告")
    if roll < 0.02 and certificate and _untouched(c, "edu-"):
        certificate.altered = True
        c.planted.append("edu-altered")
    elif roll < 0.05 and c.study_mode == StudyMode.FULL_TIME and c.education in IN_SERVICE_LOWER and _untouched(c, "edu-"):
        if certificate and extra.random() < 0.5:
            certificate.study_mode = StudyMode.IN_SERVICE  # the certificate says 在职
        else:
            title = {"研究生": "在职研究生毕业证书", "大学本科": "函授本科毕业证书", "大学专科": "函授专科毕业证书"}[c.education]
            c.materials.append(DemoMaterial("4-1", title, _shift_months(c.graduation or c.work, 1), 2, education=c.education))
        c.planted.append("edu-mode-mismatch")
    roll = extra.random()
    if roll < 0.025 and _untouched(c, "exp-", "work-under-16"):
        # A training the résumé places before the cadre's first post: outside the main line.
        first = min(c.periods, key=lambda p: p.start.sort_key())
        end = _shift_months(first.start, -extra.randint(8, 20))
        start = _shift_months(end, -3)
        text = f"其间：{_span(start, end)}参加县委党校入党积极分子培训班学习"
        c.nested.append(DemoPeriod(start, end, text, TRAINING_RECORD, PeriodKind.STUDY))
        c.materials.append(DemoMaterial("4-4", TRAINING_RECORD, end, 1))
        c.planted.append("exp-nested-outside")
