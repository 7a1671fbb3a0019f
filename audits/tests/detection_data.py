"""Builders for detection tests: campaigns, cases and consistent ("clean") dossiers, plus one
plant per rule that makes exactly that rule fire."""

from __future__ import annotations

import itertools

from archives.dates import PartialDate
from archives.models import Material, PeriodKind, ResumePeriod
from archives.tests.factories import CadreFactory, category, make_id_number
from audits.models import AuditCase, Campaign, CaseState


def d(text: str) -> PartialDate:
    return PartialDate.parse(text, allow_future=True)


def make_campaign(name="2026年干部人事档案专项审核") -> Campaign:
    return Campaign.objects.create(name=name)


def add_material(cadre, title, formed, code="1", **fields) -> Material:
    for key in ("recorded_birth_date", "recorded_work_start_date", "recorded_party_date"):
        if isinstance(fields.get(key), str):
            fields[key] = d(fields[key])
    return Material.objects.create(dossier=cadre.dossier, category=category(code), title=title, formed_date=d(formed), pages=2, **fields)


def add_period(cadre, start, end=None, proof="干部履历表", post="某县某局科员", kind=PeriodKind.POST) -> ResumePeriod:
    return ResumePeriod.objects.create(cadre=cadre, start=d(start), end=d(end) if end else None, unit_and_post=post, proof_material=proof, kind=kind)


def clean_dossier(cadre, *, periods=True):
    """Materials and résumé that agree with the cadre's current information."""
    add_material(
        cadre,
        "干部履历表",
        str(cadre.work_start_date),
        recorded_birth_date=cadre.birth_date,
        recorded_work_start_date=cadre.work_start_date,
        recorded_education=cadre.education,
    )
    if cadre.party_join_date:
        party = cadre.party_join_date
        add_material(cadre, "入党申请书", f"{party.year - 2}.{party.month:02d}", code="6")
        add_material(cadre, "入党志愿书", str(party), code="6", recorded_party_date=party)
    if periods:
        add_period(cadre, str(cadre.work_start_date))


def make_case(campaign, *, cadre=None, state=CaseState.INITIAL_REVIEW, initial_reviewer=None, re_reviewer=None, clean=True, **cadre_fields) -> AuditCase:
    if cadre is None:
        cadre = CadreFactory(**cadre_fields)
        if clean:
            clean_dossier(cadre)
    return AuditCase.objects.create(campaign=campaign, dossier=cadre.dossier, state=state, initial_reviewer=initial_reviewer, re_reviewer=re_reviewer)


def material(cadre, title) -> Material:
    return cadre.dossier.materials.get(title=title)


# --- one plant per rule: (cadre factory fields, function changing the clean dossier) -------


_id_sequence = itertools.count(1)


def _set(cadre, title, **fields):
    Material.objects.filter(dossier=cadre.dossier, title=title).update(**{k: (v.to_storage() if isinstance(v, PartialDate) else v) for k, v in fields.items()})


def _delete(cadre, title):
    Material.objects.filter(dossier=cadre.dossier, title=title).delete()


PLANTS = {
    "AGE-EARLIEST": ({}, lambda c: _set(c, "干部履历表", recorded_birth_date=d("1974.03"))),
    "AGE-DISAGREE": ({}, lambda c: add_material(c, "年度考核登记表", "1996.12", code="3", recorded_birth_date="1976.01")),
    # A material recording only the birth date: the 干部履历表 also records the work-start date and
    # the 学历, so marking it altered would fire WORK-ALTERED and EDU-ALTERED as well.
    "AGE-ALTERED": ({}, lambda c: add_material(c, "年度考核登记表", "1996.12", code="3", recorded_birth_date=c.birth_date, altered=True)),
    "AGE-ID": ({"id_number": lambda: make_id_number(next(_id_sequence), d("1975.03.15"))}, None),
    "WORK-EARLIEST": ({}, lambda c: _set(c, "干部履历表", recorded_work_start_date=d("1994.07"))),
    "WORK-DISAGREE": ({}, lambda c: add_material(c, "转正定级表", "1996.07", code="9", recorded_work_start_date="1996.07")),
    "WORK-ALTERED": ({}, lambda c: add_material(c, "招工审批表", "1995.07", code="9", recorded_work_start_date=c.work_start_date, altered=True)),
    "WORK-UNDER-16": ({"work_start_date": d("1990.07")}, None),
    "WORK-BEFORE-GRADUATION": ({"full_time_graduation_date": d("1996.07")}, None),
    "PARTY-VOLUNTEER": ({}, lambda c: _set(c, "入党志愿书", recorded_party_date=d("2000.05"))),
    "PARTY-DISAGREE": ({}, lambda c: add_material(c, "党员登记表", "2005.03", code="6", recorded_party_date="2001.06")),
    "PARTY-ALTERED": ({}, lambda c: _set(c, "入党志愿书", altered=True)),
    "PARTY-NO-VOLUNTEER": ({}, lambda c: _delete(c, "入党志愿书")),
    "PARTY-NO-APPLICATION": ({}, lambda c: _delete(c, "入党申请书")),
    "PARTY-APPLICATION-LATE": ({}, lambda c: _set(c, "入党申请书", formed_date=d("1999.12"))),
    "PARTY-UNDER-18": ({"party_join_date": d("1992.06")}, None),
    "PARTY-UNRECORDED": ({"party_join_date": None}, lambda c: _set(c, "干部履历表", recorded_party_date=d("2000.06"))),
    "EDU-UNVERIFIED": ({"verification_number": ""}, None),
    "EDU-UNSUPPORTED": ({}, lambda c: _set(c, "干部履历表", recorded_education="大学专科")),
    "EDU-ALTERED": ({}, lambda c: add_material(c, "毕业生登记表", "1995.07", code="4", recorded_education=c.education, altered=True)),
    "EDU-MODE-MISMATCH": ({}, lambda c: add_material(c, "函授本科毕业证书", "1999.07", code="4", recorded_education="大学本科")),
    "EXP-NO-PROOF": ({}, lambda c: ResumePeriod.objects.filter(cadre=c).update(proof_material="")),
    "EXP-PROOF-MISSING": ({}, lambda c: ResumePeriod.objects.filter(cadre=c).update(proof_material="干部任免审批表")),
    "EXP-GAP": ({}, lambda c: (ResumePeriod.objects.filter(cadre=c).update(end="2000-01"), add_period(c, "2000.09"))),
    "EXP-OVERLAP": ({}, lambda c: (ResumePeriod.objects.filter(cadre=c).update(end="2000-05"), add_period(c, "2000.01"))),
    "EXP-NESTED-OUTSIDE": ({}, lambda c: add_period(c, "1993.09", "1995.06", post="其间：在县委党校学习", kind=PeriodKind.STUDY)),
}


def planted_case(campaign, rule, **case_fields) -> AuditCase:
    fields, plant = PLANTS[rule]
    cadre = CadreFactory(**{k: v() if callable(v) else v for k, v in fields.items()})
    clean_dossier(cadre)
    if plant:
        plant(cadre)
    return make_case(campaign, cadre=cadre, **case_fields)
