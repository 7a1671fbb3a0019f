"""A realistic demo county for `seed_demo`: units, cadres with current information, dossier
catalogues and résumés, with discrepancies of every category planted in them.

Generation is deterministic for a given seed, so running it twice creates nothing new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .dates import PartialDate
from .idnumber import check_character

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


@dataclass
class DemoPeriod:
    start: PartialDate
    end: PartialDate | None
    unit_and_post: str
    proof: str


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
    materials: list[DemoMaterial] = field(default_factory=list)
    periods: list[DemoPeriod] = field(default_factory=list)
    planted: list[str] = field(default_factory=list)  # which problems were planted, for the demo's own tests


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
        cadre = _generate_one(rng, serial)
        if cadre.id_number in used_ids:
            continue
        used_ids.add(cadre.id_number)
        cadres.append(cadre)
    return cadres


def _generate_one(rng: random.Random, serial: int) -> DemoCadre:
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
    _plant(rng, cadre)
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
        m = _material(c, "干部履历表")
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
