"""Campaign data built directly with the ORM (no audits services), with known figures."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from archives.dates import PartialDate
from archives.models import Rank
from archives.tests.factories import CadreFactory, MaterialFactory, UnitFactory, category
from audits.models import AuditCase, Campaign, CaseState, Category, Discrepancy, DiscrepancyMaterial

S = Discrepancy.State


@dataclass
class Built:
    campaign: Campaign
    cases: list[AuditCase]


def make_case(campaign, *, name, rank, unit, state=CaseState.CLOSED, initial=None, re=None, **cadre):
    cadre_obj = CadreFactory(name=name, rank=rank, unit=unit, **cadre)
    return AuditCase.objects.create(
        campaign=campaign,
        dossier=cadre_obj.dossier,
        state=state,
        initial_reviewer=initial,
        re_reviewer=re,
        initial_reviewed_at=timezone.now() if initial else None,
        re_reviewed_at=timezone.now() if re else None,
    )


def add(case, category_, state, *, rule="", source=Discrepancy.Source.MANUAL, description="问题", by=None, **extra):
    return Discrepancy.objects.create(
        case=case,
        category=category_,
        state=state,
        rule=rule,
        subject=f"{rule}-{Discrepancy.objects.count()}",
        source=Discrepancy.Source.SYSTEM if rule else source,
        description=description,
        created_by=by,
        **extra,
    )


def build_known_campaign(initial=None, re=None) -> Built:
    """Seven dossiers (正科级 2, 副科级 2, 科员 3) whose figures the tests spell out.

    cadre  findings (state)                                        counted categories
    甲     age corrected, age registered                            age
    乙     age dismissed                                            — (fully consistent)
    丙     work determined                                          work
    丁     party PARTY-DISAGREE registered, PARTY-NO-APPLICATION corrected   party (both kinds)
    戊     party PARTY-NO-APPLICATION pending                       party (missing application)
    己     education corrected, experience withdrawn                education
    庚     experience registered, party manual (no rule) determined experience, party (dates)
    """
    campaign = Campaign.objects.create(name="2024年县管干部档案专项审核", deadline=dt.date(2024, 12, 31))
    office = UnitFactory(name="县委办公室")
    finance = UnitFactory(name="县财政局")
    cases = [
        make_case(campaign, name="甲", rank=Rank.ZHENG_KE, unit=office, initial=initial, re=re),
        make_case(campaign, name="乙", rank=Rank.ZHENG_KE, unit=office, initial=initial, re=re),
        make_case(campaign, name="丙", rank=Rank.FU_KE, unit=office, state=CaseState.RECTIFICATION, initial=initial, re=re),
        make_case(campaign, name="丁", rank=Rank.FU_KE, unit=finance, state=CaseState.RECTIFICATION, initial=initial, re=re),
        make_case(campaign, name="戊", rank=Rank.KE_YUAN, unit=finance, state=CaseState.CHIEF_CHECK, initial=initial, re=re),
        make_case(campaign, name="己", rank=Rank.KE_YUAN, unit=finance, state=CaseState.RE_REVIEW, initial=initial),
        make_case(campaign, name="庚", rank=Rank.KE_YUAN, unit=finance, state=CaseState.INITIAL_REVIEW),
    ]
    a, b, c, d, e, f, g = cases
    birth_material = MaterialFactory(
        dossier=a.dossier, title="中学学籍表", category=category("1"), formed_date=PartialDate(1990, 9), recorded_birth_date=PartialDate(1975, 5)
    )
    age = add(
        a,
        Category.AGE,
        S.CORRECTED,
        rule="AGE-EARLIEST",
        description="出生日期与最早材料不一致",
        current_value="1975.03.12",
        determined_value="1975.05",
        by=initial,
    )
    DiscrepancyMaterial.objects.create(discrepancy=age, material=birth_material, recorded_value="1975.05")
    add(a, Category.AGE, S.REGISTERED, rule="AGE-ALTERED", description="=出生日期有涂改", by=initial)
    add(b, Category.AGE, S.DISMISSED, rule="AGE-ID", description="已排除")
    add(c, Category.WORK, S.DETERMINED, rule="WORK-EARLIEST", description="参加工作时间不一致", determined_value="1995.09", by=initial)
    add(d, Category.PARTY, S.REGISTERED, rule="PARTY-DISAGREE", description="入党时间前后不一致", by=re)
    add(d, Category.PARTY, S.CORRECTED, rule="PARTY-NO-APPLICATION", description="缺入党申请书")
    add(e, Category.PARTY, S.PENDING, rule="PARTY-NO-APPLICATION", description="缺入党申请书")
    add(f, Category.EDUCATION, S.CORRECTED, rule="EDU-UNVERIFIED", description="学历未认证", by=initial)
    add(f, Category.EXPERIENCE, S.WITHDRAWN, rule="EXP-GAP", description="已撤销")
    add(g, Category.EXPERIENCE, S.REGISTERED, rule="EXP-NO-PROOF", description="经历缺证明")
    add(g, Category.PARTY, S.DETERMINED, description="人工登记：入党时间记载有误", determined_value="2001.07")
    return Built(campaign=campaign, cases=cases)
