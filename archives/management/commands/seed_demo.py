"""seed_demo: a demo county with users for every role and one campaign over all dossiers."""

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from archives import demo
from archives.models import Cadre, Dossier, Material, MaterialCategory, ResumePeriod, Unit
from archives.roles import Role

DEMO_USERS = [
    ("auditor1", "周审核", Role.AUDITOR),
    ("auditor2", "吴审核", Role.AUDITOR),
    ("chief", "郑科长", Role.CHIEF),
    ("leader", "冯部长", Role.LEADER),
    ("archivist", "陈管档", Role.ARCHIVIST),
    ("admin", "系统管理员", Role.ADMIN),
]
CAMPAIGN_NAME = "2026年度干部人事档案专项审核"


class Command(BaseCommand):
    help = "生成演示数据：单位、干部、档案材料、经历（含各类问题）、各角色演示账号和一个审核批次"

    def add_arguments(self, parser):
        parser.add_argument("--cadres", type=int, default=300)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--password", help="所有演示账号的密码；不指定则各自随机生成")

    def handle(self, *args, cadres, seed, password, **options):
        created = seed_archives(cadres, seed)
        users = seed_users(password)
        campaign_note = seed_campaign(users)
        self.stdout.write(f"演示数据：新建干部 {created} 人（共 {Cadre.objects.count()} 人）。{campaign_note}")
        self.stdout.write("演示账号（用户名 / 密码 / 角色）：")
        for username, pw, role in users["logins"]:
            self.stdout.write(f"  {username:<10} {pw:<20} {role}")


@transaction.atomic
def seed_archives(count: int, seed: int) -> int:
    people = demo.generate(count, seed)
    existing = set(Cadre.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", flat=True))
    people = [p for p in people if p.id_number not in existing]
    if not people:
        return 0
    county, _ = Unit.objects.get_or_create(parent=None, name=demo.COUNTY)
    units = {county.full_name: county}
    for name in demo.UNITS:
        unit, _ = Unit.objects.get_or_create(parent=county, name=name)
        units[unit.full_name] = unit
    categories = {c.code: c for c in MaterialCategory.objects.all()}
    new_cadres = Cadre.objects.bulk_create(
        [
            Cadre(
                name=p.name,
                gender=p.gender,
                ethnicity=p.ethnicity,
                id_number=p.id_number,
                unit=units[p.unit],
                position=p.position,
                rank=p.rank,
                birth_date=p.birth,
                work_start_date=p.work,
                party_join_date=p.party,
                education=p.education,
                degree=p.degree,
                school=p.school,
                major=p.major,
                study_mode=p.study_mode,
                verification_number=p.verification,
                full_time_graduation_date=p.graduation,
            )
            for p in people
        ]
    )
    # bulk_create sets primary keys on PostgreSQL and SQLite alike; fetch to be safe across backends.
    by_id = dict(Cadre.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", "pk"))
    Dossier.objects.bulk_create([Dossier(cadre_id=by_id[p.id_number], location=f"第{i // 50 + 1}柜") for i, p in enumerate(people)])
    dossiers = dict(Dossier.objects.filter(cadre_id__in=by_id.values()).values_list("cadre_id", "pk"))
    materials, periods = [], []
    for p in people:
        dossier_id = dossiers[by_id[p.id_number]]
        seen = set()
        for m in p.materials:
            key = (m.category, m.title, m.formed)
            if key in seen:
                continue
            seen.add(key)
            materials.append(
                Material(
                    dossier_id=dossier_id,
                    category=categories[m.category],
                    title=m.title,
                    formed_date=m.formed,
                    pages=m.pages,
                    recorded_birth_date=m.birth,
                    recorded_work_start_date=m.work,
                    recorded_party_date=m.party,
                    recorded_education=m.education,
                    recorded_study_mode=m.study_mode,
                    altered=m.altered,
                    note=m.note,
                )
            )
        for period in p.periods:
            periods.append(
                ResumePeriod(
                    cadre_id=by_id[p.id_number],
                    start=period.start,
                    end=period.end,
                    unit_and_post=period.unit_and_post,
                    proof_material=period.proof,
                    kind=period.kind,
                )
            )
    Material.objects.bulk_create(materials, batch_size=2000)
    ResumePeriod.objects.bulk_create(periods, batch_size=2000)
    return len(new_cadres)


def seed_users(password: str | None) -> dict:
    User = get_user_model()
    logins, by_name = [], {}
    for username, full_name, role in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
        user.first_name = full_name
        pw = password or secrets.token_urlsafe(9)
        user.set_password(pw)
        # The administrator works in the admin site with the 系统管理员 group's permissions:
        # users, roles, units, recusals and account links, never dossier contents.
        user.is_staff = role == Role.ADMIN
        user.is_superuser = False
        user.save()
        user.groups.add(Group.objects.get(name=role))
        logins.append((username, pw, role.label))
        by_name[username] = user
    # The first auditor is a cadre of the organization department: the product must keep
    # them away from their own dossier.
    own = Cadre.objects.filter(unit__name="县委组织部", user__isnull=True).order_by("id_number").first()
    if own and not Cadre.objects.filter(user=by_name["auditor1"]).exists():
        own.user = by_name["auditor1"]
        own.save(update_fields=["user"])
    return {"logins": logins, "users": by_name}


def seed_campaign(users: dict) -> str:
    from audits.models import Campaign

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        from audits.services import campaign_create

        campaign = campaign_create(
            name=CAMPAIGN_NAME,
            created_by=users["users"]["chief"],
            auditors=[users["users"]["auditor1"], users["users"]["auditor2"]],
            deadline=timezone.localdate() + dt.timedelta(days=90),
        )
    from audits.detection import detect_campaign

    detect_campaign(campaign_id=campaign.pk)
    return f"审核批次“{campaign.name}”（编号 {campaign.pk}）共 {campaign.cases.count()} 卷。"
