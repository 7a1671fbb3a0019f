"""Detection over many audit cases at once: load in bulk, run the pure rules, reconcile.

The number of queries does not depend on how many cases are checked: three ``values()``
queries read the cases (with the cadre's current information), the materials and the résumé
periods; two more read the existing system findings and their citations; the writes are bulk
statements (split only into batches of ``BATCH`` rows).

Reconciling (DETECTION_RULES.md): one finding per (case, category, subject), listing every
rule that fired on the subject. A new finding is registered PENDING; a PENDING one is
refreshed; a PENDING one whose cause went away becomes WITHDRAWN; a WITHDRAWN one whose cause
is back returns to PENDING; a DISMISSED one stays dismissed while the same rules fire on the
same values and is reopened when they change; every state an auditor has confirmed
(REGISTERED, RECTIFYING, DETERMINED, CORRECTED) is left alone (``reconcile`` says it in full).
Each state change leaves a DiscrepancyEvent.
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

from .rules import CadreSnapshot, Finding, MaterialSnapshot, PeriodSnapshot, Thresholds, legacy_rule, legacy_subject, run_rules

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
UPDATED_COMMENT = "重新比对时问题内容有变化，已更新。"
DISMISSAL_LAPSED_COMMENT = "重新比对时命中的规则或比对的值有变化，原排除结论不再适用，恢复为待核实。"
RENAMED_COMMENT = "系统比对改为一个问题一条记录：本条归入比对对象“{subject}”，状态和内容不变。"

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
    "dossier__cadre__study_mode",
    "dossier__cadre__full_time_graduation_date",
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
    "recorded_study_mode",
)
PERIOD_FIELDS = ("cadre_id", "start", "end", "unit_and_post", "proof_material", "kind")
FINDING_FIELDS = (
    "pk",
    "case_id",
    "rule",
    "rules",
    "subject",
    "state",
    "severity",
    "category",
    "description",
    "current_value",
    "recorded_values",
    "dismissed_reason",
    "version",
)
UPDATE_FIELDS = (
    "state",
    "version",
    "updated_at",
    "rule",
    "rules",
    "category",
    "severity",
    "description",
    "current_value",
    "recorded_values",
    "dismissed_reason",
)
# The states of a finding an auditor confirmed; with DISMISSED, the ones a legacy finding
# (stored before one finding per subject) may carry over to its new subject.
CONFIRMED_STATES = (State.REGISTERED, State.RECTIFYING, State.DETERMINED, State.CORRECTED)
ADOPTABLE = (*CONFIRMED_STATES, State.DISMISSED)


def _updated(row: dict, now, **values) -> Discrepancy:
    """The row with ``values`` changed, its version bumped, for ``bulk_update(UPDATE_FIELDS)``."""
    fields = {name: row[name] for name in UPDATE_FIELDS if name in row}
    fields.update(version=row["version"] + 1, updated_at=now, **values)
    return Discrepancy(pk=row["pk"], **fields)


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
                study_mode=m["recorded_study_mode"],
            )
        )
    periods_by_cadre: dict[int, list[PeriodSnapshot]] = defaultdict(list)
    for p in rows.periods:
        periods_by_cadre[p["cadre_id"]].append(
            PeriodSnapshot(start=p["start"], end=p["end"], unit_and_post=p["unit_and_post"], proof=p["proof_material"], kind=p["kind"])
        )
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
            study_mode=c["dossier__cadre__study_mode"],
            graduation=c["dossier__cadre__full_time_graduation_date"],
            materials=tuple(materials_by_dossier.get(dossier_id, ())),
            periods=tuple(periods_by_cadre.get(c["dossier__cadre_id"], ())),
        )
    return snapshots


def evaluate(snapshots: dict[int, CadreSnapshot], thresholds: Thresholds, progress: Progress = _no_progress) -> dict[int, dict[tuple[str, str], Finding]]:
    """case id -> {(category, subject): Finding}."""
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
        "rule": finding.rule,
        "rules": list(finding.rules),
        "category": str(finding.category),
        "severity": str(finding.severity),
        "description": finding.description,
        "current_value": finding.current_value[:200],
        "recorded_values": finding.recorded_values,
    }


def _fingerprint(rules, current_value: str, recorded_values: str, citations) -> tuple:
    """What "the same rules fire on the same values" compares (DETECTION_RULES.md)."""
    return (frozenset(rules), current_value, recorded_values, frozenset(citations))


def _wanted_citations(finding: Finding) -> set[tuple[int, str]]:
    return {(material_id, value[:200]) for material_id, value in finding.citations}


def reconcile(cases, found: dict[int, dict[tuple[str, str], Finding]], *, user=None) -> DetectionResult:
    """Bring the stored system findings of ``cases`` in line with ``found``, in bulk.

    One stored finding per (case, category, subject), its state deciding what a new run does:

    - none yet: a new PENDING finding;
    - PENDING: its content (rules, text, values, citations) is refreshed (event when it changes);
    - WITHDRAWN: found again, it returns to PENDING with the new content;
    - DISMISSED: the dismissal holds while the same rules fire on the same values, i.e. the
      set of rules, the current value, the recorded values and the cited (material, value)
      pairs all equal those stored when it was dismissed (wording is not compared, so a
      reworded message never revives a dismissal). When any of them differs — a new rule fires,
      one stops, a value changes — the key being unique per subject, the same row is reopened
      as PENDING with the new content; the event keeps the earlier reason and what changed;
    - confirmed (REGISTERED, RECTIFYING, DETERMINED, CORRECTED): never touched; the auditors
      own it.

    A PENDING finding not found again is WITHDRAWN (its cause went away); every other state is
    kept. Findings stored before one finding per subject (subject ``RULE:old subject``, see
    ``rules.legacy_subject``) are handled once: a pending one is withdrawn like any other; a
    confirmed one, or a dismissed one whose single rule is all that fires now on the same values,
    takes the new subject (so the problem is not registered twice and the dismissal holds); any
    other is kept as it is, and the new finding is registered beside it.
    """
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

    existing: dict[tuple[int, str, str], dict] = {}
    legacy: dict[int, list[dict]] = defaultdict(list)
    for row in existing_rows:
        existing[(row["case_id"], row["category"], row["subject"])] = row
        if legacy_rule(row["subject"]):
            legacy[row["case_id"]].append(row)

    to_create: list[tuple[Discrepancy, Finding]] = []
    to_update: list[Discrepancy] = []
    renamed: list[Discrepancy] = []
    events: list[DiscrepancyEvent] = []
    citations_to_add: list[DiscrepancyMaterial] = []
    citations_to_drop: list[int] = []

    def sync_citations(pk: int, finding: Finding) -> bool:
        wanted = _wanted_citations(finding)
        have = citations_by_finding.get(pk, set())
        if wanted == have:
            return False
        # One row per (finding, material): drop every changed one before adding.
        citations_to_drop.extend(citation_pk[(pk, *key)] for key in have - wanted)
        citations_to_add.extend(DiscrepancyMaterial(discrepancy_id=pk, material_id=m, recorded_value=v) for m, v in wanted - have)
        return True

    def event(row, action, to_state, comment, changes=None):
        events.append(
            DiscrepancyEvent(
                discrepancy_id=row["pk"],
                actor=user,
                action=action,
                from_state=row["state"],
                to_state=to_state,
                comment=comment,
                changes=changes or {},
                at=now,
            )
        )

    def adopt_legacy(case_id: int, findings: dict, finding: Finding) -> dict | None:
        """A legacy finding of this case that this finding takes over (see the docstring)."""
        candidates = [
            row
            for row in legacy.get(case_id, ())
            if row["category"] == finding.category
            and row["state"] in ADOPTABLE
            and legacy_subject(row["subject"], (s for _c, s in findings)) == finding.subject
        ]
        choice = next((row for row in candidates if row["state"] in CONFIRMED_STATES), None)
        if choice is None:
            current_value = finding.current_value[:200]
            choice = next(
                (
                    row
                    for row in candidates
                    if row["state"] == State.DISMISSED
                    and list(finding.rules) == [legacy_rule(row["subject"])]
                    and row["current_value"] == current_value
                    and citations_by_finding.get(row["pk"], set()) == _wanted_citations(finding)
                ),
                None,
            )
        if choice is None:
            return None
        legacy[case_id].remove(choice)
        renamed.append(Discrepancy(pk=choice["pk"], subject=finding.subject))
        event(choice, EventAction.UPDATED, choice["state"], RENAMED_COMMENT.format(subject=finding.subject), {"subject": [choice["subject"], finding.subject]})
        result.updated += 1
        return choice

    for case_id, findings in found.items():
        for (category, subject), finding in findings.items():
            content = _content(finding)
            row = existing.get((case_id, category, subject))
            if row is None and legacy.get(case_id) and adopt_legacy(case_id, findings, finding) is not None:
                continue  # confirmed or dismissed on the same grounds: left as it is
            if row is None:
                to_create.append((Discrepancy(case_id=case_id, source=SYSTEM, subject=subject, state=State.PENDING, created_at=now, **content), finding))
                result.created[content["category"]] += 1
                continue
            state = row["state"]
            if state == State.PENDING:
                changed = {k: v for k, v in content.items() if row[k] != v}
                cited = sync_citations(row["pk"], finding)
                if changed or cited:
                    result.updated += 1
                    event(row, EventAction.UPDATED, state, UPDATED_COMMENT, {k: [row[k], v] for k, v in changed.items()})
                if changed:
                    to_update.append(_updated(row, now, **content))
            elif state == State.WITHDRAWN:
                sync_citations(row["pk"], finding)
                event(row, EventAction.REOPENED, State.PENDING, REOPENED_COMMENT)
                to_update.append(_updated(row, now, state=State.PENDING, **content))
                result.reopened[content["category"]] += 1
            elif state == State.DISMISSED:
                before = _fingerprint(row["rules"] or [row["rule"]], row["current_value"], row["recorded_values"], citations_by_finding.get(row["pk"], ()))
                now_found = _fingerprint(finding.rules, content["current_value"], content["recorded_values"], _wanted_citations(finding))
                if before == now_found:
                    continue
                sync_citations(row["pk"], finding)
                changes = {k: [row[k], v] for k, v in content.items() if row[k] != v}
                changes["dismissed_reason"] = [row["dismissed_reason"], ""]
                event(row, EventAction.REOPENED, State.PENDING, DISMISSAL_LAPSED_COMMENT, changes)
                to_update.append(_updated(row, now, state=State.PENDING, dismissed_reason="", **content))
                result.reopened[content["category"]] += 1
            # Confirmed findings (registered, rectifying, determined, corrected) are the auditors'.

    # Pending findings that were not found again: their cause went away.
    for (case_id, category, subject), row in existing.items():
        if row["state"] != State.PENDING or case_id not in found or (category, subject) in found[case_id]:
            continue
        to_update.append(_updated(row, now, state=State.WITHDRAWN))
        event(row, EventAction.WITHDRAWN, State.WITHDRAWN, WITHDRAWN_COMMENT)
        result.withdrawn[row["category"]] += 1

    if renamed:
        Discrepancy.objects.bulk_update(renamed, ["subject"], batch_size=BATCH)
    if to_create:
        created = Discrepancy.objects.bulk_create([d for d, _ in to_create], batch_size=BATCH)
        for discrepancy, (_, finding) in zip(created, to_create, strict=True):
            citations_to_add.extend(
                DiscrepancyMaterial(discrepancy_id=discrepancy.pk, material_id=m, recorded_value=v[:200]) for m, v in dict(finding.citations).items()
            )
            events.append(
                DiscrepancyEvent(
                    discrepancy_id=discrepancy.pk,
                    actor=user,
                    action=EventAction.DETECTED,
                    from_state="",
                    to_state=State.PENDING,
                    comment=f"系统比对（规则 {'、'.join(finding.rules)}）发现",
                    at=now,
                )
            )
    if to_update:
        Discrepancy.objects.bulk_update(to_update, UPDATE_FIELDS, batch_size=BATCH)
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
