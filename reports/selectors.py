"""Reads for reports: every figure comes from `campaign_statistics`, in a constant number
of aggregate queries whatever the size of the campaign."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q
from django.utils import timezone

from archives.models import DossierTransfer, DossierUse, Material, MaterialReceipt, MaterialSendOut, Rank, ResumePeriod
from audits.models import AuditCase, Campaign, CaseState, Category, Determination, Discrepancy, DiscrepancyMaterial, Feedback, Interview, MaterialRequest

from . import narrative as texts
from .data import (
    PARTY_NO_APPLICATION,
    AuditorRow,
    CampaignStatistics,
    CategoryStats,
    CountRow,
    DeterminationSheet,
    DiscrepancyRow,
    GroupRow,
    Narrative,
    Sheet,
    SheetItem,
    SheetRecord,
    SummaryReport,
    WorkbookData,
)
from .models import ReportSettings

COUNTED = Discrepancy.COUNTED_STATES
OPEN = Discrepancy.OPEN_STATES
# A case has passed the reviews once the section chief approved it (DOMAIN.md).
REVIEWED_STAGES = (CaseState.LEADER_CHECK, CaseState.RECTIFICATION, CaseState.CLOSED)


def _group_counts(cases, key: str) -> dict:
    """Cases grouped by `key`, with their counted discrepancies (one aggregate query)."""
    counted = Q(discrepancies__state__in=COUNTED)
    rows = cases.values(key).annotate(
        n_cases=Count("id", distinct=True),
        n_with=Count("id", distinct=True, filter=counted),
        n_disc=Count("discrepancies", filter=counted),
        n_open=Count("discrepancies", filter=Q(discrepancies__state__in=OPEN)),
    )
    return {row[key]: row for row in rows}


def _group_row(label: str, row: dict | None) -> GroupRow:
    row = row or {}
    return GroupRow(
        label=label,
        cases=row.get("n_cases", 0),
        cadres_with_discrepancies=row.get("n_with", 0),
        discrepancies=row.get("n_disc", 0),
        open_discrepancies=row.get("n_open", 0),
    )


def _user_label(user: dict) -> str:
    return f"{user['last_name']}{user['first_name']}".strip() or user["username"]


def _auditor_rows(campaign: Campaign, cases) -> list[AuditorRow]:
    initial = {
        row["initial_reviewer"]: row
        for row in cases.exclude(initial_reviewer=None)
        .values("initial_reviewer")
        .annotate(assigned=Count("id"), done=Count("id", filter=Q(initial_reviewed_at__isnull=False)))
    }
    re_review = {
        row["re_reviewer"]: row
        for row in cases.exclude(re_reviewer=None)
        .values("re_reviewer")
        .annotate(assigned=Count("id"), done=Count("id", filter=Q(re_reviewed_at__isnull=False)))
    }
    registered = {
        row["created_by"]: row["n"]
        for row in Discrepancy.objects.filter(case__campaign=campaign, state__in=COUNTED, created_by__isnull=False).values("created_by").annotate(n=Count("id"))
    }
    ids = set(initial) | set(re_review) | set(registered)
    if not ids:
        return []
    users = get_user_model().objects.filter(pk__in=ids).values("pk", "username", "first_name", "last_name")
    rows = []
    for user in users:
        pk = user["pk"]
        rows.append(
            AuditorRow(
                name=_user_label(user),
                initial_assigned=initial.get(pk, {}).get("assigned", 0),
                initial_done=initial.get(pk, {}).get("done", 0),
                re_assigned=re_review.get(pk, {}).get("assigned", 0),
                re_done=re_review.get(pk, {}).get("done", 0),
                registered=registered.get(pk, 0),
            )
        )
    rows.sort(key=lambda r: (-(r.initial_assigned + r.re_assigned), r.name))
    return rows


def overdue_material_requests(campaign: Campaign) -> int:
    """Open material requests of the campaign past their due date."""
    return MaterialRequest.objects.filter(state=MaterialRequest.State.OPEN, due_on__lt=timezone.localdate(), discrepancy__case__campaign=campaign).count()


def _category_work(campaign: Campaign) -> dict[str, dict]:
    """How each category's counted problems were worked on: feedback rounds, interviews and
    material requests (one grouped query per table)."""
    scope = {"discrepancy__case__campaign": campaign, "discrepancy__state__in": COUNTED}
    work: dict[str, dict] = defaultdict(dict)
    for row in Feedback.objects.filter(**scope).order_by().values("discrepancy__category").annotate(n=Count("id"), rounds=Max("round")):
        work[row["discrepancy__category"]].update(feedbacks=row["n"], feedback_rounds=row["rounds"] or 0)
    for row in Interview.objects.filter(**scope).order_by().values("discrepancy__category").annotate(n=Count("id")):
        work[row["discrepancy__category"]]["interviews"] = row["n"]
    for row in (
        MaterialRequest.objects.filter(**scope)
        .order_by()
        .values("discrepancy__category")
        .annotate(n=Count("id"), received=Count("id", filter=Q(state=MaterialRequest.State.RECEIVED)))
    ):
        work[row["discrepancy__category"]].update(materials_requested=row["n"], materials_received=row["received"])
    return work


def campaign_statistics(campaign: Campaign, *, now: dt.datetime | None = None) -> CampaignStatistics:
    """Every figure of the campaign's summary report, workbook and dashboard.

    A discrepancy counts when its state is in Discrepancy.COUNTED_STATES: an auditor registered
    or confirmed it and has not dismissed or retracted it (DOMAIN.md "What the figures count");
    system findings still 待核实 are reported apart. A cadre counts once per category; the party
    category is split by rule (see reports.data.PARTY_NO_APPLICATION). A dossier is fully
    consistent when its case passed the reviews with no counted problem.
    """
    now = now or timezone.now()
    cases = AuditCase.objects.filter(campaign=campaign).order_by()

    by_rank_rows = _group_counts(cases, "dossier__cadre__rank")
    rank_order = list(Rank.values)
    by_rank = [
        _group_row(str(Rank(code).label) if code in Rank.values else (code or "未定职级"), row)
        for code, row in sorted(by_rank_rows.items(), key=lambda kv: rank_order.index(kv[0]) if kv[0] in rank_order else len(rank_order))
    ]
    total = sum(row.cases for row in by_rank)
    with_discrepancies = sum(row.cadres_with_discrepancies for row in by_rank)
    reviewed = cases.filter(state__in=REVIEWED_STAGES)
    consistent = reviewed.exclude(discrepancies__state__in=COUNTED).count()

    unit_rows = cases.values("dossier__cadre__unit__full_name").annotate(
        n_cases=Count("id", distinct=True),
        n_with=Count("id", distinct=True, filter=Q(discrepancies__state__in=COUNTED)),
        n_disc=Count("discrepancies", filter=Q(discrepancies__state__in=COUNTED)),
        n_open=Count("discrepancies", filter=Q(discrepancies__state__in=OPEN)),
    )
    by_unit = sorted((_group_row(row["dossier__cadre__unit__full_name"] or "", row) for row in unit_rows), key=lambda r: r.label)

    stage_counts = dict(cases.values_list("state").annotate(n=Count("id")))
    stages = [CountRow(code=s.value, label=str(s.label), count=stage_counts.get(s.value, 0)) for s in CaseState]
    reviewed_count = sum(stage_counts.get(code, 0) for code in REVIEWED_STAGES)

    discrepancies = Discrepancy.objects.filter(case__campaign=campaign).order_by()
    state_counts = dict(discrepancies.values_list("state").annotate(n=Count("id")))
    states = [CountRow(code=s.value, label=str(s.label), count=state_counts.get(s.value, 0), counted=s in COUNTED) for s in Discrepancy.State]
    pending_by_category = dict(discrepancies.filter(state=Discrepancy.State.PENDING).values_list("category").annotate(n=Count("id")))

    # A finding about the party materials may list several rules (缺入党志愿书 and 缺入党申请书):
    # it counts as a missing application when any of them is PARTY-NO-APPLICATION.
    no_app = Q(rule=PARTY_NO_APPLICATION) | Q(rules__icontains=f'"{PARTY_NO_APPLICATION}"')
    per_category = {
        row["category"]: row
        for row in discrepancies.filter(state__in=COUNTED)
        .values("category")
        .annotate(
            cadres=Count("case", distinct=True),
            n=Count("id"),
            corrected=Count("id", filter=Q(state=Discrepancy.State.CORRECTED)),
            determined=Count("id", filter=Q(state=Discrepancy.State.DETERMINED)),
            open=Count("id", filter=Q(state__in=OPEN)),
            cadres_open=Count("case", distinct=True, filter=Q(state__in=OPEN)),
            cadres_no_app=Count("case", distinct=True, filter=no_app),
            cadres_other=Count("case", distinct=True, filter=~no_app),
            cadres_determined=Count("case", distinct=True, filter=Q(state__in=Discrepancy.RESOLVED_STATES)),
            cadres_corrected=Count("case", distinct=True, filter=Q(state=Discrepancy.State.CORRECTED)),
        )
    }
    work = _category_work(campaign)
    categories = []
    for cat in Category:
        row = per_category.get(cat.value, {})
        done = work.get(cat.value, {})
        is_party = cat == Category.PARTY
        categories.append(
            CategoryStats(
                code=cat.value,
                label=str(cat.label),
                cadres=row.get("cadres", 0),
                discrepancies=row.get("n", 0),
                corrected=row.get("corrected", 0),
                determined=row.get("determined", 0),
                open=row.get("open", 0),
                cadres_resolved=row.get("cadres", 0) - row.get("cadres_open", 0),
                cadres_inconsistent=row.get("cadres_other", 0) if is_party else 0,
                cadres_missing_application=row.get("cadres_no_app", 0) if is_party else 0,
                feedback_rounds=done.get("feedback_rounds", 0),
                feedbacks=done.get("feedbacks", 0),
                interviews=done.get("interviews", 0),
                materials_requested=done.get("materials_requested", 0),
                materials_received=done.get("materials_received", 0),
                cadres_determined=row.get("cadres_determined", 0),
                cadres_corrected=row.get("cadres_corrected", 0),
                pending=pending_by_category.get(cat.value, 0),
            )
        )

    return CampaignStatistics(
        campaign_id=campaign.pk,
        campaign_name=campaign.name,
        generated_at=now,
        deadline=campaign.deadline,
        total_cases=total,
        by_rank=by_rank,
        consistent_cadres=consistent,
        discrepancies=sum(c.discrepancies for c in categories),
        categories=categories,
        stages=stages,
        states=states,
        by_unit=by_unit,
        auditors=_auditor_rows(campaign, cases),
        overdue_requests=overdue_material_requests(campaign),
        cadres_with_discrepancies=with_discrepancies,
        reviewed_cases=reviewed_count,
        unfinished_cases=total - reviewed_count,
        pending_findings=state_counts.get(Discrepancy.State.PENDING, 0),
        determinations_waiting=Determination.objects.filter(discrepancy__case__campaign=campaign, status__in=Determination.ACTIVE_STATUSES).count(),
    )


def report_narrative(campaign: Campaign, *, today: dt.date | None = None) -> Narrative:
    """The editable texts, with the product's defaults where the chief left a field blank."""
    settings_row = ReportSettings.objects.filter(campaign=campaign).first() or ReportSettings(campaign=campaign)
    return Narrative(
        title=settings_row.title or texts.DEFAULT_TITLE,
        addressee=settings_row.addressee or texts.DEFAULT_ADDRESSEE,
        issuing_unit=settings_row.issuing_unit or texts.DEFAULT_ISSUING_UNIT,
        report_date=settings_row.report_date or today or timezone.localdate(),
        opening=settings_row.opening or texts.DEFAULT_OPENING.format(campaign=f"“{campaign.name}”"),
        practices=settings_row.practices or texts.DEFAULT_PRACTICES,
        problems=settings_row.problems or texts.DEFAULT_PROBLEMS,
        doc_number=settings_row.doc_number.strip(),
        signer=settings_row.signer.strip(),
        category_texts={code.value: text for code, name in ReportSettings.RESOLUTION_FIELDS.items() if (text := getattr(settings_row, name).strip())},
    )


def summary_report(campaign: Campaign) -> SummaryReport:
    return SummaryReport(statistics=campaign_statistics(campaign), narrative=report_narrative(campaign))


# --- workbook -------------------------------------------------------------------------

_CATEGORY = dict(Category.choices)
_STATE = dict(Discrepancy.State.choices)
_SOURCE = dict(Discrepancy.Source.choices)
_CAUSE = dict(Discrepancy.Cause.choices)


def _name(first, last, username) -> str:
    return f"{last or ''}{first or ''}".strip() or (username or "")


def _discrepancy_rows(queryset) -> list[DiscrepancyRow]:
    fields = (
        "case__dossier__cadre__name",
        "case__dossier__cadre__id_number",
        "case__dossier__cadre__unit__full_name",
        "case__dossier__cadre__position",
        "case__dossier__cadre__rank",
        "category",
        "rule",
        "description",
        "source",
        "state",
        "current_value",
        "recorded_values",
        "determined_value",
        "cause",
        "correction_measure",
        "case__initial_reviewer__first_name",
        "case__initial_reviewer__last_name",
        "case__initial_reviewer__username",
        "case__re_reviewer__first_name",
        "case__re_reviewer__last_name",
        "case__re_reviewer__username",
        "created_at",
        "dismissed_reason",
    )
    rows = []
    ordered = queryset.order_by("case__dossier__cadre__unit__full_name", "case__dossier__cadre__name", "case_id", "category", "pk")
    for v in ordered.values_list(*fields):
        rows.append(
            DiscrepancyRow(
                name=v[0],
                id_number=v[1],
                unit=v[2] or "",
                position=v[3] or "",
                rank=v[4] or "",
                category=str(_CATEGORY.get(v[5], v[5])),
                rule=v[6] or "",
                description=v[7] or "",
                source=str(_SOURCE.get(v[8], v[8])),
                state=str(_STATE.get(v[9], v[9])),
                current_value=v[10] or "",
                recorded_values=v[11] or "",
                determined_value=v[12] or "",
                cause=str(_CAUSE.get(v[13], v[13] or "")),
                correction_measure=v[14] or "",
                initial_reviewer=_name(v[15], v[16], v[17]),
                re_reviewer=_name(v[18], v[19], v[20]),
                registered_at=timezone.localtime(v[21]).strftime("%Y-%m-%d %H:%M") if v[21] else "",
                dismissed_reason=v[22] or "",
            )
        )
    return rows


def _d(value) -> str:
    return value.isoformat() if value else ""


def campaign_registers(campaign: Campaign, *, exclude_cadre_ids=()) -> list[Sheet]:
    """The four registers (接收, 转出, 利用, 传递) for the campaign's dossiers; one query each."""
    in_campaign = Q(dossier__audit_cases__campaign=campaign)
    if exclude_cadre_ids:
        in_campaign &= ~Q(dossier__cadre_id__in=list(exclude_cadre_ids))
    cadre = "dossier__cadre__name"
    receipts = MaterialReceipt.objects.filter(in_campaign).order_by("serial")
    sendouts = MaterialSendOut.objects.filter(in_campaign).order_by("serial")
    uses = DossierUse.objects.filter(in_campaign).order_by("serial")
    transfers = DossierTransfer.objects.filter(in_campaign).order_by("serial")
    kinds = dict(DossierUse.Kind.choices)
    methods = dict(DossierTransfer.Method.choices)
    return [
        Sheet(
            title="接收登记表",
            headers=["流水号", "干部", "接收日期", "材料名称", "送交单位或个人", "页数", "接收人"],
            rows=[
                (s, n, _d(d), t, sender, p, r)
                for s, n, d, t, sender, p, r in receipts.values_list("serial", cadre, "received_on", "material_title", "sender", "pages", "received_by")
            ],
            widths=[8, 10, 12, 30, 24, 6, 10],
        ),
        Sheet(
            title="转出登记簿",
            headers=["流水号", "干部", "转出日期", "材料名称", "接收单位", "页数", "转出原因", "经办人"],
            rows=[
                (s, n, _d(d), t, rc, p, rs, h)
                for s, n, d, t, rc, p, rs, h in sendouts.values_list("serial", cadre, "sent_on", "material_title", "recipient", "pages", "reason", "handled_by")
            ],
            widths=[8, 10, 12, 30, 24, 6, 30, 10],
        ),
        Sheet(
            title="利用登记簿",
            headers=["流水号", "干部", "利用时间", "利用方式", "利用人", "利用目的", "批准人/依据", "归还日期"],
            rows=[
                (s, n, timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), str(kinds.get(k, k)), u, p, a, _d(r))
                for s, n, at, k, u, p, a, r in uses.values_list("serial", cadre, "recorded_at", "kind", "user_name", "purpose", "approval", "returned_on")
            ],
            widths=[8, 10, 17, 10, 12, 30, 16, 12],
        ),
        Sheet(
            title="传递登记簿",
            headers=["流水号", "干部", "转递日期", "转出单位", "接收单位", "转递方式", "转递原因", "回执退回日期"],
            rows=[
                (s, n, _d(d), f, t, str(methods.get(m, m)), r, _d(rr))
                for s, n, d, f, t, m, r, rr in transfers.values_list(
                    "serial", cadre, "sent_on", "from_unit", "to_unit", "method", "reason", "receipt_returned_on"
                )
            ],
            widths=[8, 10, 12, 24, 24, 10, 30, 12],
        ),
    ]


def workbook_data(campaign: Campaign, *, exclude_cadre_ids=()) -> WorkbookData:
    """The workbook's data. Rows naming a cadre leave out `exclude_cadre_ids` (the reader's own
    and relatives', 回避); the statistics, which name nobody, are the whole campaign's."""
    discrepancies = Discrepancy.objects.filter(case__campaign=campaign)
    if exclude_cadre_ids:
        discrepancies = discrepancies.exclude(case__dossier__cadre_id__in=list(exclude_cadre_ids))
    return WorkbookData(
        statistics=campaign_statistics(campaign),
        discrepancies=_discrepancy_rows(discrepancies.filter(state__in=COUNTED)),
        set_aside=_discrepancy_rows(discrepancies.exclude(state__in=COUNTED).exclude(state=Discrepancy.State.PENDING)),
        registers=campaign_registers(campaign, exclude_cadre_ids=exclude_cadre_ids),
        pending=_discrepancy_rows(discrepancies.filter(state=Discrepancy.State.PENDING)),
    )


# --- 认定表 ---------------------------------------------------------------------------------

# The items of a 认定表: label, category, the Material field recording the value, the Cadre field.
SHEET_ITEMS = (
    ("出生日期", Category.AGE, "recorded_birth_date", "birth_date"),
    ("参加工作时间", Category.WORK, "recorded_work_start_date", "work_start_date"),
    ("入党时间", Category.PARTY, "recorded_party_date", "party_join_date"),
    ("学历学位", Category.EDUCATION, "recorded_education", "education"),
    ("经历", Category.EXPERIENCE, None, None),
)
RULE_CODE = re.compile(r"（规则[\sA-Z0-9、，,-]+）|\s*[（(]?[A-Z]+(?:-[A-Z0-9]+)+[）)]?")


def _text(value) -> str:
    return "" if value is None else str(value)


def _user_name(user) -> str:
    return _name(user.first_name, user.last_name, user.username) if user else ""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def mask_id_number(id_number: str) -> str:
    """身份证号 shown as its first 6 and last 4 characters."""
    if len(id_number or "") <= 10:
        return id_number or ""
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def _period_line(p: dict) -> str:
    return f"{p['start']}—{p['end'] or '至今'} {p['unit_and_post']}"


def _current_education(cadre) -> str:
    return " ".join(x for x in (cadre.education, cadre.degree, cadre.study_mode, cadre.school, cadre.major) if x)


def _sheet_records(recording: list[dict], field: str, *, earliest_first: bool) -> list[SheetRecord]:
    """档案记载 of one item, short enough for a one-page form: the earliest record, then each
    other value with the materials recording it (altered ones each on their own line), and one
    line for the rest that say the same as the earliest."""
    if not recording:
        return []
    first = recording[0]
    rows = [
        SheetRecord(material=first["title"], formed=_text(first["formed_date"]), value=_text(first[field]), earliest=earliest_first, altered=first["altered"])
    ]
    same = 0
    others: dict[str, list[dict]] = {}
    for m in recording[1:]:
        if m["altered"]:
            rows.append(SheetRecord(material=m["title"], formed=_text(m["formed_date"]), value=_text(m[field]), altered=True))
        elif _text(m[field]) == _text(first[field]):
            same += 1
        else:
            others.setdefault(_text(m[field]), []).append(m)
    for value, group in others.items():
        if len(group) == 1:
            rows.append(SheetRecord(material=group[0]["title"], formed=_text(group[0]["formed_date"]), value=value))
        else:
            cited = "、".join(f"《{m['title']}》（{_text(m['formed_date'])}）" for m in group)
            rows.append(SheetRecord(material="", formed="", value=f"{cited}：{value}"))
    if same:
        rows.append(SheetRecord(material="", formed="", value=f"另有{same}份材料记载相同"))
    return rows


def _plain(description: str) -> str:
    """A finding as the 认定表 prints it: its first sentence, no rule codes."""
    text = RULE_CODE.sub("", description or "").strip()
    head, _, _ = text.partition("。")
    return head.rstrip("；;，,") + "。" if head else ""


def determination_sheets(
    campaign: Campaign, case_ids: list[int] | None = None, *, exclude_cadre_ids=(), full_id_number: bool = False
) -> list[DeterminationSheet]:
    """认定表 data for the campaign's cases (or the ones named), in a fixed number of queries;
    the cadres of `exclude_cadre_ids` (the reader's own and relatives', 回避) are left out
    entirely. ID numbers are masked unless `full_id_number` (the reader's role needs them)."""
    cases = AuditCase.objects.filter(campaign=campaign).select_related("dossier__cadre__unit", "initial_reviewer", "re_reviewer")
    scope = Q(dossier__audit_cases__campaign=campaign)
    disc_scope = Q(case__campaign=campaign)
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
        scope &= Q(dossier__audit_cases__in=case_ids)
        disc_scope &= Q(case__in=case_ids)
    if exclude_cadre_ids:
        excluded = list(exclude_cadre_ids)
        cases = cases.exclude(dossier__cadre_id__in=excluded)
        scope &= ~Q(dossier__cadre_id__in=excluded)
        disc_scope &= ~Q(case__dossier__cadre_id__in=excluded)
    cases = list(cases.order_by("dossier__cadre__unit__full_name", "dossier__cadre__name", "pk"))

    materials = defaultdict(list)
    for m in (
        Material.objects.filter(scope, weeded_at__isnull=True)
        .order_by("formed_date", "pk")
        .values(
            "pk",
            "dossier_id",
            "title",
            "formed_date",
            "recorded_birth_date",
            "recorded_work_start_date",
            "recorded_party_date",
            "recorded_education",
            "altered",
        )
    ):
        materials[m["dossier_id"]].append(m)

    found = defaultdict(list)
    for d in (
        Discrepancy.objects.filter(disc_scope, state__in=COUNTED).order_by("pk").values("pk", "case_id", "category", "description", "state", "determined_value")
    ):
        found[(d["case_id"], d["category"])].append(d)
    cited = defaultdict(list)  # the materials a problem cites: the basis when no 认定 record says otherwise
    for c in (
        DiscrepancyMaterial.objects.filter(discrepancy__in=Discrepancy.objects.filter(disc_scope, state__in=Discrepancy.RESOLVED_STATES))
        .order_by("material__formed_date", "pk")
        .values("discrepancy_id", "material__title", "material__formed_date")
    ):
        cited[c["discrepancy_id"]].append(f"《{c['material__title']}》（{c['material__formed_date']}）")

    approved = defaultdict(list)
    approved_in_case = defaultdict(list)
    determinations = (
        Determination.objects.filter(discrepancy__in=Discrepancy.objects.filter(disc_scope, state__in=COUNTED), status=Determination.Status.APPROVED)
        .select_related("discrepancy")
        .prefetch_related("basis")
        .order_by("approved_at", "pk")
    )
    for x in determinations:
        approved[(x.discrepancy.case_id, x.discrepancy.category)].append(x)
        approved_in_case[x.discrepancy.case_id].append(x)

    resume = defaultdict(list)
    people = Q(cadre__dossier__audit_cases__campaign=campaign) & (Q(cadre__dossier__audit_cases__in=case_ids) if case_ids is not None else Q())
    if exclude_cadre_ids:
        people &= ~Q(cadre_id__in=list(exclude_cadre_ids))
    for p in ResumePeriod.objects.filter(people).order_by("start").values("cadre_id", "start", "end", "unit_and_post", "proof_material"):
        resume[p["cadre_id"]].append(p)

    issuing_unit = report_narrative(campaign).issuing_unit
    sheets = []
    for case in cases:
        cadre = case.dossier.cadre
        items = []
        for label, category, field, cadre_field in SHEET_ITEMS:
            if category == Category.EDUCATION:
                current = _current_education(cadre)
            elif cadre_field:
                current = _text(getattr(cadre, cadre_field))
                if category == Category.PARTY and not current:
                    current = "非中共党员"
            else:
                periods = resume[cadre.pk]
                current = f"简历共{len(periods)}段，自{periods[0]['start']}起" if periods else ""
            if field:
                recording = [m for m in materials[case.dossier_id] if m[field]]
                recorded = _sheet_records(recording, field, earliest_first=category != Category.EDUCATION)
            else:
                recording = []
                recorded = [
                    SheetRecord(material=p["proof_material"], formed="", value=_period_line(p) + ("" if p["proof_material"] else "（无证明材料）"))
                    for p in resume[cadre.pk]
                ]
            problems = found[(case.pk, category.value)]
            decisions = approved[(case.pk, category.value)]
            if not problems and current == "非中共党员":
                determined, basis = [], []
            elif not problems:
                determined = [_period_line(p) for p in resume[cadre.pk]] if category == Category.EXPERIENCE else ([current] if current else [])
                basis = [f"《{recording[0]['title']}》（{recording[0]['formed_date']}）"] if recording and category != Category.EDUCATION else []
                basis = basis or (["与档案记载一致"] if current else [])
            elif all(d["state"] in Discrepancy.RESOLVED_STATES for d in problems):
                by_problem = {x.discrepancy_id: x for x in decisions}
                values = [by_problem[d["pk"]].value if d["pk"] in by_problem else d["determined_value"] for d in problems]
                determined = list(dict.fromkeys(line.strip() for value in values for line in value.split("\n") if line.strip()))
                basis = list(dict.fromkeys(f"《{m.title}》（{m.formed_date}）" for x in decisions for m in x.basis.all()))
                basis += [line for d in problems if d["pk"] not in by_problem for line in cited[d["pk"]] if line not in basis]
                basis += [f"批复：{x.approval_text}" for x in decisions if x.approval_text]
                basis += [x.justification for x in decisions if x.justification]
                basis = list(dict.fromkeys(basis))
            else:
                determined, basis = [], []
            items.append(
                SheetItem(
                    label=label,
                    current=current,
                    recorded=recorded,
                    determined=determined,
                    basis=basis,
                    problem="".join(dict.fromkeys(_plain(d["description"]) for d in problems)),
                )
            )
        last = approved_in_case[case.pk][-1] if approved_in_case[case.pk] else None
        problem_labels = [item.label for item in items if item.problem]
        if case.state not in REVIEWED_STAGES:
            audit_opinion = ""  # the reviews are not finished: left for the reviewers to write
        elif problem_labels:
            audit_opinion = f"经初审、交叉复审，{'、'.join(problem_labels)}方面档案记载与现有信息存在差异，按规定提出认定意见如上。"
        else:
            audit_opinion = "经初审、交叉复审，档案记载与现有信息一致。"
        sheets.append(
            DeterminationSheet(
                campaign_name=campaign.name,
                case_id=case.pk,
                name=cadre.name,
                gender=cadre.gender,
                ethnicity=cadre.ethnicity,
                id_number=cadre.id_number if full_id_number else mask_id_number(cadre.id_number),
                unit=cadre.unit.full_name,
                position=cadre.position,
                rank=cadre.rank,
                items=items,
                initial_reviewer=_user_name(case.initial_reviewer),
                initial_reviewed_at=_when(case.initial_reviewed_at),
                re_reviewer=_user_name(case.re_reviewer),
                re_reviewed_at=_when(case.re_reviewed_at),
                audit_opinion=audit_opinion,
                organization_opinion=(last.approval_opinion if last else ""),
                organization_opinion_on=timezone.localdate(last.approved_at) if last else None,
                determined_on=timezone.localdate(last.approved_at) if last else None,
                issuing_unit=issuing_unit,
            )
        )
    return sheets
