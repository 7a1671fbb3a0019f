"""Detection over many audit cases at once: load in bulk, run the pure rules, reconcile.

The number of queries does not depend on how many cases are checked: three ``values()``
queries read the cases (with the cadre's current information), the materials and the résumé
periods; two more read the existing system findings and their citations; the writes are bulk
statements (split only into batches of ``BATCH`` rows).

Reconciling (DETECTION_RULES.md): one finding per (case, rule, subject). A new finding is
registered PENDING; a PENDING one is refreshed; a PENDING one whose cause went away becomes
WITHDRAWN; a WITHDRAWN one whose cause is back returns to PENDING; DISMISSED and every state an
auditor has taken over (REGISTERED, DETERMINED, CORRECTED) are left alone. Each state change
leaves a DiscrepancyEvent.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.models import Material, ResumePeriod
from audits.models import AuditCase, CaseState, Discrepancy, DiscrepancyEvent, DiscrepancyMaterial

from .rules import CadreSnapshot, Finding, MaterialSnapshot, PeriodSnapshot, Thresholds, run_rules

BATCH = 500
State = Discrepancy.State
SYSTEM = Discrepancy.Source.SYSTEM


class EventAction(models.TextChoices):
    """DiscrepancyEvent.action values written by detection and its two auditor actions."""

    DETECTED = "detected", _("系统比对发现")
    UPDATED = "detection_updated", _("系统比对更新")
    WITHDRAWN = "withdrawn", _("系统撤销")
    REOPENED = "reopened", _("系统重新发现")
    CONFIRMED = "confirmed", _("确认")
    DISMISSED = "dismissed", _("排除")


WITHDRAWN_COMMENT = "重新比对时该问题的成因已不存在（现有信息或档案材料已更正），系统自动撤销。"
REOPENED_COMMENT = "重新比对时该问题再次出现，恢复为待核实。"

CASE_FIELDS = (
    "pk",
    "dossier_id",
    "dossier__cadre_id",
    "dossier__cadre__name",
    "dossier__cadre__id_number",
    "dossier__cadre__birth_date",
    "dossier__cadre__work_start_date",
    "dossier__cadre__party_join_date",
    "dossier__cadre__education",
    "dossier__cadre__verification_number",
)
MATERIAL_FIELDS = (
    "pk",
    "dossier_id",
    "category__code",
    "category__order",
    "title",
    "formed_date",
    "recorded_birth_date",
    "recorded_work_start_date",
    "recorded_party_date",
    "recorded_education",
    "altered",
)
PERIOD_FIELDS = ("cadre_id", "start", "end", "unit_and_post", "proof_material")
FINDING_FIELDS = ("pk", "case_id", "rule", "subject", "state", "severity", "category", "description", "current_value", "recorded_values", "version")


@dataclass
class DetectionResult:
    """What one run did, for the command, the progress bar and the task result."""

    cases: int = 0
    created: Counter = field(default_factory=Counter)  # by category
    withdrawn: Counter = field(default_factory=Counter)
    reopened: Counter = field(default_factory=Counter)
    updated: int = 0
    current: Counter = field(default_factory=Counter)  # findings standing after the run, by category
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "cases": self.cases,
            "created": dict(self.created),
            "withdrawn": dict(self.withdrawn),
            "reopened": dict(self.reopened),
            "updated": self.updated,
            "current": dict(self.current),
            "created_total": sum(self.created.values()),
            "withdrawn_total": sum(self.withdrawn.values()),
            "current_total": sum(self.current.values()),
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, phase: str) -> None:
    return None


# --- selection ----------------------------------------------------------------------------


def cases_queryset(*, campaign_id=None, case_ids=None):
    """The cases detection may change: open and with findings not frozen."""
    qs = AuditCase.objects.exclude(state=CaseState.CLOSED).filter(findings_frozen=False)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    return qs.order_by()


# --- loading ------------------------------------------------------------------------------


@dataclass
class Rows:
    cases: list[dict]
    materials: list[dict]
    periods: list[dict]


def load_rows(cases) -> Rows:
    """The three bulk reads (also the benchmark's floor: the same queries, no rules)."""
    dossier_ids = cases.values("dossier_id")
    return Rows(
        cases=list(cases.values(*CASE_FIELDS)),
        materials=list(Material.objects.filter(dossier_id__in=dossier_ids, weeded_at__isnull=True).order_by().values(*MATERIAL_FIELDS)),
        periods=list(ResumePeriod.objects.filter(cadre_id__in=cases.values("dossier__cadre_id")).order_by().values(*PERIOD_FIELDS)),
    )


def build_snapshots(rows: Rows) -> dict[int, CadreSnapshot]:
    """case id -> CadreSnapshot."""
    materials_by_dossier: dict[int, list[MaterialSnapshot]] = defaultdict(list)
    for m in rows.materials:
        materials_by_dossier[m["dossier_id"]].append(
            MaterialSnapshot(
                id=m["pk"],
                category_code=m["category__code"],
                category_order=m["category__order"],
                title=m["title"],
                formed=m["formed_date"],
                birth=m["recorded_birth_date"],
                work_start=m["recorded_work_start_date"],
                party=m["recorded_party_date"],
                education=m["recorded_education"],
                altered=m["altered"],
            )
        )
    periods_by_cadre: dict[int, list[PeriodSnapshot]] = defaultdict(list)
    for p in rows.periods:
        periods_by_cadre[p["cadre_id"]].append(PeriodSnapshot(start=p["start"], end=p["end"], unit_and_post=p["unit_and_post"], proof=p["proof_material"]))
    snapshots = {}
    for c in rows.cases:
        dossier_id = c["dossier_id"]
        snapshots[c["pk"]] = CadreSnapshot(
            name=c["dossier__cadre__name"],
            id_number=c["dossier__cadre__id_number"],
            birth=c["dossier__cadre__birth_date"],
            work_start=c["dossier__cadre__work_start_date"],
            party=c["dossier__cadre__party_join_date"],
            education=c["dossier__cadre__education"],
            verification_number=c["dossier__cadre__verification_number"],
            materials=tuple(materials_by_dossier.get(dossier_id, ())),
            periods=tuple(periods_by_cadre.get(c["dossier__cadre_id"], ())),
        )
    return snapshots


def evaluate(snapshots: dict[int, CadreSnapshot], thresholds: Thresholds, progress: Progress = _no_progress) -> dict[int, dict[tuple[str, str], Finding]]:
    """case id -> {(rule, subject): Finding}."""
    total = len(snapshots)
    step = max(1, total // 50)
    result = {}
    for done, (case_id, snapshot) in enumerate(snapshots.items(), start=1):
        result[case_id] = {f.key: f for f in run_rules(snapshot, thresholds)}
        if done % step == 0:
            progress(done, total, "checking")
    return result


# --- reconciling --------------------------------------------------------------------------


def _chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _content(finding: Finding) -> dict:
    return {
        "category": str(finding.category),
        "severity": str(finding.severity),
        "description": finding.description,
        "current_value": finding.current_value[:200],
        "recorded_values": finding.recorded_values,
    }


def reconcile(cases, found: dict[int, dict[tuple[str, str], Finding]], *, user=None) -> DetectionResult:
    """Bring the stored system findings of ``cases`` in line with ``found``, in bulk."""
    result = DetectionResult(cases=len(found))
    now = timezone.now()
    existing_rows = list(Discrepancy.objects.select_for_update().filter(source=SYSTEM, case__in=cases.values("pk")).order_by("pk").values(*FINDING_FIELDS))
    citation_rows = list(
        DiscrepancyMaterial.objects.filter(discrepancy__source=SYSTEM, discrepancy__case__in=cases.values("pk")).values(
            "pk", "discrepancy_id", "material_id", "recorded_value"
        )
    )
    citations_by_finding: dict[int, set[tuple[int, str]]] = defaultdict(set)
    citation_pk: dict[tuple[int, int, str], int] = {}
    for row in citation_rows:
        key = (row["material_id"], row["recorded_value"])
        citations_by_finding[row["discrepancy_id"]].add(key)
        citation_pk[(row["discrepancy_id"], *key)] = row["pk"]

    existing = {(row["case_id"], row["rule"], row["subject"]): row for row in existing_rows}
    to_create: list[tuple[Discrepancy, Finding]] = []
    to_update: list[Discrepancy] = []
    events: list[DiscrepancyEvent] = []
    citations_to_add: list[DiscrepancyMaterial] = []
    citations_to_drop: list[int] = []

    def sync_citations(pk: int, finding: Finding) -> bool:
        wanted = {(material_id, value[:200]) for material_id, value in finding.citations}
        have = citations_by_finding.get(pk, set())
        if wanted == have:
            return False
        citations_to_drop.extend(citation_pk[(pk, *key)] for key in have - wanted)
        citations_to_add.extend(DiscrepancyMaterial(discrepancy_id=pk, material_id=m, recorded_value=v) for m, v in wanted - have)
        return True

    for case_id, findings in found.items():
        for (rule, subject), finding in findings.items():
            row = existing.get((case_id, rule, subject))
            content = _content(finding)
            if row is None:
                to_create.append(
                    (Discrepancy(case_id=case_id, source=SYSTEM, rule=rule, subject=subject, state=State.PENDING, created_at=now, **content), finding)
                )
                result.created[content["category"]] += 1
                continue
            state = row["state"]
            if state in (State.PENDING, State.WITHDRAWN):
                changed = {k: v for k, v in content.items() if row[k] != v}
                cited = sync_citations(row["pk"], finding)
                if state == State.WITHDRAWN:
                    events.append(
                        DiscrepancyEvent(
                            discrepancy_id=row["pk"],
                            actor=user,
                            action=EventAction.REOPENED,
                            from_state=State.WITHDRAWN,
                            to_state=State.PENDING,
                            comment=REOPENED_COMMENT,
                            at=now,
                        )
                    )
                    result.reopened[content["category"]] += 1
                elif changed or cited:
                    result.updated += 1
                    events.append(
                        DiscrepancyEvent(
                            discrepancy_id=row["pk"],
                            actor=user,
                            action=EventAction.UPDATED,
                            from_state=state,
                            to_state=state,
                            comment="重新比对时问题内容有变化，已更新。",
                            changes={k: [row[k], v] for k, v in changed.items()},
                            at=now,
                        )
                    )
                if state == State.WITHDRAWN or changed:
                    to_update.append(Discrepancy(pk=row["pk"], state=State.PENDING, version=row["version"] + 1, updated_at=now, **content))

    # Pending findings that were not found again: their cause went away.
    for key, row in existing.items():
        case_id, rule, subject = key
        if row["state"] != State.PENDING or case_id not in found or (rule, subject) in found[case_id]:
            continue
        to_update.append(
            Discrepancy(
                pk=row["pk"],
                state=State.WITHDRAWN,
                version=row["version"] + 1,
                updated_at=now,
                category=row["category"],
                severity=row["severity"],
                description=row["description"],
                current_value=row["current_value"],
                recorded_values=row["recorded_values"],
            )
        )
        events.append(
            DiscrepancyEvent(
                discrepancy_id=row["pk"],
                actor=user,
                action=EventAction.WITHDRAWN,
                from_state=State.PENDING,
                to_state=State.WITHDRAWN,
                comment=WITHDRAWN_COMMENT,
                at=now,
            )
        )
        result.withdrawn[row["category"]] += 1

    if to_create:
        created = Discrepancy.objects.bulk_create([d for d, _ in to_create], batch_size=BATCH)
        for discrepancy, (_, finding) in zip(created, to_create, strict=True):
            citations_to_add.extend(
                DiscrepancyMaterial(discrepancy_id=discrepancy.pk, material_id=m, recorded_value=v[:200]) for m, v in dict.fromkeys(finding.citations)
            )
            events.append(
                DiscrepancyEvent(
                    discrepancy_id=discrepancy.pk,
                    actor=user,
                    action=EventAction.DETECTED,
                    from_state="",
                    to_state=State.PENDING,
                    comment=f"系统比对（规则 {finding.rule}）发现",
                    at=now,
                )
            )
    if to_update:
        Discrepancy.objects.bulk_update(
            to_update, ["state", "version", "updated_at", "category", "severity", "description", "current_value", "recorded_values"], batch_size=BATCH
        )
    for chunk in _chunks(citations_to_drop, 5000):
        DiscrepancyMaterial.objects.filter(pk__in=chunk).delete()
    if citations_to_add:
        DiscrepancyMaterial.objects.bulk_create(citations_to_add, batch_size=BATCH)
    if events:
        DiscrepancyEvent.objects.bulk_create(events, batch_size=BATCH)
    return result


CURRENT_STATES = (State.PENDING, State.REGISTERED, State.RECTIFYING)


def current_counts(cases) -> Counter:
    """Standing system findings (pending or confirmed) of these cases, by category."""
    rows = (
        Discrepancy.objects.filter(source=SYSTEM, state__in=CURRENT_STATES, case__in=cases.values("pk"))
        .order_by()
        .values("category")
        .annotate(n=models.Count("pk"))
    )
    return Counter({row["category"]: row["n"] for row in rows})


# --- the whole run ------------------------------------------------------------------------


def detect(cases, *, user=None, progress: Progress = _no_progress) -> DetectionResult:
    """Detect over the cases of a queryset (see ``cases_queryset``); one transaction."""
    started = time.perf_counter()
    thresholds = Thresholds.from_settings(settings.DETECTION)
    progress(0, 0, "loading")
    with transaction.atomic():
        snapshots = build_snapshots(load_rows(cases))
        total = len(snapshots)
        progress(0, total, "checking")
        found = evaluate(snapshots, thresholds, progress)
        progress(total, total, "saving")
        result = reconcile(cases, found, user=user)
        result.current = current_counts(cases)
    result.seconds = time.perf_counter() - started
    return result


def detect_campaign(*, campaign_id: int, user=None, progress: Progress = _no_progress) -> DetectionResult:
    return detect(cases_queryset(campaign_id=campaign_id), user=user, progress=progress)


def detect_cases(*, case_ids, user=None, progress: Progress = _no_progress) -> DetectionResult:
    return detect(cases_queryset(case_ids=case_ids), user=user, progress=progress)


def run_detection(*, case_ids=None, campaign_id=None, user_id=None, task=None) -> dict:
    """Entry point of the detection task (ids in, plain dict out)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    from .services import ProgressReporter

    progress = ProgressReporter(task=task, campaign_id=campaign_id)
    cases = cases_queryset(campaign_id=campaign_id, case_ids=case_ids)
    result = detect(cases, user=user, progress=progress).as_dict()
    progress.finish(result)
    return result
