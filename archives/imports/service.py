"""Import services: analyse a workbook (read, validate, compare with the database) and apply
it, all or nothing, upserting by natural key (IMPORT_FORMATS.md).

Speed comes from reading each sheet once as a stream (reader.py, sheetxml.py), reading each
distinct value of a repeating column once (validate.py), prefetching existing rows into dicts
keyed by the natural key (no per-row query), and writing new rows with one ``executemany`` per
batch (``_Insert``), changed ones with bulk_update.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.audit_log import audit_log_append
from archives.dates import PartialDate
from archives.models import AuditLogEntry, Cadre, CadreInfoChange, Dossier, ImportJob, Material, PeriodKind, ResumePeriod, Unit
from archives.selectors import recused_cadre_ids
from archives.task_queue import QueueUnavailable, enqueue

from .formats import FORMATS, Format
from .progress import Progress
from .reader import Workbook, WorkbookRefused, check_container
from .validate import Context, Issue, PartInput, SheetValidator, check_recusal, check_references, make_context, select_sheets

logger = logging.getLogger(__name__)

BATCH = 1000
INSERT_BATCH = 5000  # rows per executemany
IN_CHUNK = 900  # ids per IN (…) list, below SQLite's variable limit
SAMPLE_SIZE = 10
MAX_STORED_ISSUES = 10_000
# A task redelivered this many times (its worker died each time: killed, out of memory) gives up
# rather than loop on a file that kills workers.
MAX_TASK_ATTEMPTS = 3
ATTEMPTS_TTL = 7 * 24 * 3600

__all__ = [
    "Analysis",
    "WorkbookRefused",
    "import_analyse",
    "import_apply",
    "import_cancel",
    "import_confirm",
    "import_file",
    "import_preview",
    "import_resubmit",
    "import_run",
    "import_upload",
]

# Fields compared and written per kind (the natural key is not among them).
ROSTER_FIELDS = tuple(f for f in Cadre.TRACKED_FIELDS if f != "id_number")
ROSTER_DATES = {"birth_date", "work_start_date", "full_time_graduation_date", "party_join_date"}
MATERIAL_FIELDS = (
    "pages",
    "recorded_birth_date",
    "recorded_work_start_date",
    "recorded_party_date",
    "recorded_education",
    "recorded_study_mode",
    "altered",
    "note",
)
MATERIAL_DATES = {"formed_date", "recorded_birth_date", "recorded_work_start_date", "recorded_party_date"}
# 经历类型 is part of the key; it is compared too, because a period may be found again under
# another kind (reclassified: see _diff_resume), and then its kind is what changes.
RESUME_FIELDS = ("kind", "end", "unit_and_post", "proof_material")
RESUME_DATES = {"start", "end"}


def _raw(field_name: str):
    """A PartialDateField read as its stored text, skipping the PartialDate conversion."""
    return Cast(field_name, output_field=CharField())


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Insert:
    """INSERT of many new rows with one ``executemany`` per batch.

    Record values are already what the column stores (validated text, PartialDate storage
    text, ids, ints, booleans), so they go in as they are; bulk_create would build a model
    instance and prepare every value of every row again. The other columns get their model
    default (or ``fixed``), prepared once. Like bulk_create: no save(), no signals."""

    def __init__(self, model, given: tuple[str, ...], fixed: dict | None = None):
        connection = connections[DEFAULT_DB_ALIAS]
        fixed = fixed or {}
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        columns, constants = [by_name[name].column for name in given], []
        for f in model._meta.concrete_fields:
            if f.primary_key or f.attname in given:
                continue
            value = fixed[f.attname] if f.attname in fixed else f.get_default()  # "" for text without a default
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            columns.append(f.column)
            constants.append(f.get_db_prep_save(value, connection))
        quote = connection.ops.quote_name
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (names from the model)
        self.constants = tuple(constants)
        self.connection = connection

    def run(self, rows) -> None:
        constants = self.constants
        with self.connection.cursor() as cursor:
            for batch in _chunks(rows, INSERT_BATCH):
                cursor.executemany(self.sql, [row + constants for row in batch])


def _pks(model, key: str, values) -> dict:
    """{key value: pk} of the rows whose ``key`` is among ``values``."""
    found = {}
    for chunk in _chunks(values):
        found.update(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return found


@dataclass
class PartResult:
    """What one kind of rows would do: new records, updates with their changed fields, unchanged."""

    fmt: Format
    sheets: list[str]
    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)  # (record, pk, {field: (old, new)})
    unchanged: list = field(default_factory=list)  # records (kept for the preview's first rows only)
    unchanged_count: int = 0
    derived: set = field(default_factory=set)  # (sheet, row) whose 经历类型 the 其间 rule gave

    def counts(self) -> dict:
        return {"kind": self.fmt.kind, "label": self.fmt.sheet_title, "new": len(self.new), "updated": len(self.updated), "unchanged": self.unchanged_count}


@dataclass
class Analysis:
    kind: str
    issues: list[Issue]
    warnings: list[str]
    parts: list[PartResult]
    rows: int
    ctx: Context | None = None
    new_units: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.issues

    def counts(self) -> dict:
        parts = [p.counts() for p in self.parts]
        return {
            "rows": self.rows,
            "new": sum(p["new"] for p in parts),
            "updated": sum(p["updated"] for p in parts),
            "unchanged": sum(p["unchanged"] for p in parts),
            "units_new": len(self.new_units),
            "parts": parts,
        }

    def preview(self) -> dict:
        parts = []
        for part in self.parts:
            derived = part.derived
            parts.append(
                {
                    "kind": part.fmt.kind,
                    "label": part.fmt.sheet_title,
                    "new": [_sample(part.fmt, r, derived) for r in part.new[:SAMPLE_SIZE]],
                    "updated": [{**_sample(part.fmt, r, derived), "changes": _changes(part.fmt, c)} for r, _pk, c in part.updated[:SAMPLE_SIZE]],
                    "unchanged": [_sample(part.fmt, r, derived) for r in part.unchanged[:SAMPLE_SIZE]],
                    # Every line whose 经历类型 the 其间 rule read, so the archivist can check the reading.
                    "derived": [_sample(part.fmt, r, derived) for r in _derived_records(part)[: SAMPLE_SIZE * 5]],
                }
            )
        return {"parts": parts, "new_units": self.new_units[:50]}


def _date_text(value) -> str:
    return str(PartialDate.from_storage(value)) if value else ""


def _display(fmt: Format, name: str, value) -> str:
    if value is None or value == "":
        return ""
    if name in ROSTER_DATES | MATERIAL_DATES | RESUME_DATES:
        return _date_text(value)
    if name == "altered":
        return "是" if value else "否"
    if name == "category":
        return value[0]
    return str(value)


def _sample(fmt: Format, record, derived=frozenset()) -> dict:
    if fmt.kind == "roster":
        summary = f"{record.name} {record.id_number} {record.unit} {record.rank}"
    elif fmt.kind == "materials":
        summary = f"{record.id_number} 第{record.category[0]}类《{record.title}》{_date_text(record.formed_date)}形成"
    else:
        summary = f"{record.id_number} {_date_text(record.start)}—{_date_text(record.end) or '至今'} {record.unit_and_post}"
        if record.kind != PeriodKind.POST:
            how = "，据“其间”判定" if (record.sheet, record.row) in derived else ""
            summary = f"［{record.kind}{how}］{summary}"
    return {"sheet": record.sheet, "row": record.row, "summary": summary}


def _derived_records(part: PartResult) -> list:
    if not part.derived:
        return []
    records = part.new + [r for r, _pk, _c in part.updated] + part.unchanged
    return sorted((r for r in records if (r.sheet, r.row) in part.derived), key=lambda r: (r.sheet, r.row))


def _changes(fmt: Format, changes: dict) -> list[dict]:
    labels = {c.key: c.header for c in fmt.columns}
    return [{"field": labels.get(name, name), "old": _display(fmt, name, old), "new": _display(fmt, name, new)} for name, (old, new) in changes.items()]


# --- analysis --------------------------------------------------------------------------


@contextmanager
def _no_cyclic_gc():
    """Hundreds of thousands of surviving records make the cyclic collector rescan them over and
    over (about 10% of an import); they hold no cycles, so pause it while they are built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_analyse(*, path, kind: str, progress: Progress | None = None, user=None) -> Analysis:
    with _no_cyclic_gc():
        return _analyse(path=path, kind=kind, progress=progress, user=user)


def _recused_id_numbers(user) -> set[str]:
    if user is None:
        return set()
    return set(Cadre.objects.filter(pk__in=recused_cadre_ids(user)).values_list("id_number", flat=True))


def _analyse(*, path, kind: str, progress: Progress | None = None, user=None) -> Analysis:
    """Read and validate a workbook and compare it with the database; writes nothing. Rows about
    the importing `user`'s own or a relative's record are refused (回避).

    Raises WorkbookRefused for a file that is not a readable, safe workbook."""
    if kind not in FORMATS:
        raise ValueError(f"unknown import kind {kind!r}")
    progress = progress or Progress()
    with Workbook(path) as book:
        sheets = list(book.sheets())
        chosen, warnings = select_sheets(sheets, kind)
        rows = sum(sheet.rows for _k, sheet in chosen)
        progress.start(_("读取并校验"), total=rows * 2)
        ctx = make_context()
        issues: list[Issue] = []
        parts: dict[str, PartInput] = {}
        seen: dict[str, dict] = {}
        for sheet_kind, sheet in chosen:
            part = parts.setdefault(sheet_kind, PartInput(FORMATS[sheet_kind]))
            SheetValidator(part, ctx, issues, warnings, seen.setdefault(sheet_kind, {})).run(sheet, progress.advance)
    if not issues and not any(p.records for p in parts.values()):
        first = chosen[0][1].title if chosen else ""
        issues.append(Issue(first, 2, "-", "没有数据行"))
    check_references(list(parts.values()), ctx, issues)
    check_recusal(list(parts.values()), _recused_id_numbers(user), issues)
    order = {title: i for i, (_k, s) in enumerate(chosen) for title in [s.title]}
    issues.sort(key=lambda i: (order.get(i.sheet, -1), i.row))
    analysis = Analysis(kind=kind, issues=issues, warnings=warnings, parts=[], rows=rows, ctx=ctx)
    if issues:
        return analysis
    for part in parts.values():
        analysis.parts.append(_DIFFERS[part.fmt.kind](part, ctx, analysis))
        if part.derived:
            analysis.warnings.append(_derived_warning(part))
    return analysis


def _derived_warning(part: PartInput) -> str:
    counts = Counter(r.kind for r in part.records if (r.sheet, r.row) in part.derived)
    kinds = "、".join(f"{kind} {counts[kind]} 条" for kind in PeriodKind.nested() if counts[kind])
    return (
        f"{part.fmt.sheet_title}：{len(part.derived)} 条经历未填经历类型、单位及职务以“其间”开头，已判定为嵌套经历（{kinds}），"
        "见预览中的“据“其间”判定”；判定有误的请在经历类型列填写后重新上传"
    )


def _classify(part: PartInput, existing: dict, key_of, fields: tuple[str, ...]) -> PartResult:
    result = PartResult(fmt=part.fmt, sheets=part.sheets, derived=part.derived)
    # Per sheet, where in ``fields`` the columns it lacks are: those keep their stored values.
    kept = {sheet: [(i, name) for i, name in enumerate(fields) if name in absent] for sheet, absent in part.absent.items()}
    for record in part.records:
        key = key_of(record)
        found = existing.get(key) if key is not None else None
        if found is None:
            result.new.append(record)
            continue
        pk, stored = found
        if kept.get(record.sheet):
            restored = {name: stored[i] for i, name in kept[record.sheet] if stored[i] != getattr(record, name)}
            if restored:
                record = record._replace(**restored)
        changes = {}
        for name, old in zip(fields, stored, strict=True):
            new = getattr(record, name)
            if old != new:
                changes[name] = (old, new)
        if changes:
            result.updated.append((record, pk, changes))
        else:
            result.unchanged_count += 1
            if len(result.unchanged) < SAMPLE_SIZE:
                result.unchanged.append(record)
    return result


def _diff_roster(part: PartInput, ctx: Context, analysis: Analysis) -> PartResult:
    numbers = [r.id_number for r in part.records]
    existing = {}
    columns = [f if f not in ROSTER_DATES else _raw(f) for f in ROSTER_FIELDS if f != "unit"]
    for chunk in _chunks(numbers):
        for row in Cadre.objects.filter(id_number__in=chunk).values_list("id_number", "pk", "unit__full_name", *columns):
            number, pk, unit, *values = row
            values.insert(ROSTER_FIELDS.index("unit"), unit)
            existing[number] = (pk, tuple("" if v is None and f not in ROSTER_DATES else v for f, v in zip(ROSTER_FIELDS, values, strict=True)))
    known_units = set(Unit.objects.values_list("full_name", flat=True))
    new_units = []
    for record in part.records:
        path = record.unit.split("/")
        for depth in range(1, len(path) + 1):
            name = "/".join(path[:depth])
            if name not in known_units:
                known_units.add(name)
                new_units.append(name)
    analysis.new_units = new_units
    return _classify(part, existing, lambda r: r.id_number, ROSTER_FIELDS)


def _diff_materials(part: PartInput, ctx: Context, analysis: Analysis) -> PartResult:
    dossiers = {ctx.cadres[r.id_number][1] for r in part.records if r.id_number in ctx.cadres}
    dossiers.discard(None)
    existing = {}
    columns = [f if f not in MATERIAL_DATES else _raw(f) for f in MATERIAL_FIELDS]
    for chunk in _chunks(dossiers):
        query = Material.objects.filter(dossier_id__in=chunk).values_list("dossier_id", "category_id", "title", _raw("formed_date"), "pk", *columns)
        for dossier, category, title, formed, pk, *values in query:
            existing[(dossier, category, title, formed)] = (pk, tuple(values))

    def key_of(record):
        cadre = ctx.cadres.get(record.id_number)
        if cadre is None or cadre[1] is None:
            return None
        return (cadre[1], record.category[1], record.title, record.formed_date)

    return _classify(part, existing, key_of, MATERIAL_FIELDS)


def _diff_resume(part: PartInput, ctx: Context, analysis: Analysis) -> PartResult:
    cadres = {ctx.cadres[r.id_number][0] for r in part.records if r.id_number in ctx.cadres}
    existing = {}
    by_text = {}  # (cadre, start, 单位及职务) → keys of the stored periods with that text
    for chunk in _chunks(cadres):
        query = ResumePeriod.objects.filter(cadre_id__in=chunk).values_list(
            "cadre_id", _raw("start"), "pk", "kind", _raw("end"), "unit_and_post", "proof_material"
        )
        for cadre, start, pk, *values in query:
            kind, _end, text, _proof = values
            existing[(cadre, start, kind)] = (pk, tuple(values))
            by_text.setdefault((cadre, start, text), []).append((cadre, start, kind))

    def key_of(record):
        cadre = ctx.cadres.get(record.id_number)
        return None if cadre is None else (cadre[0], record.start, record.kind)

    # A period stored under one kind and found in the file, same start and same text, under
    # another (a 其间 line imported before 经历类型 existed, or a kind corrected in the sheet) is
    # that period reclassified, not a second one: unless the file still has it under its old kind.
    in_file = {key_of(r) for r in part.records}
    for record in part.records:
        key = key_of(record)
        if key is None or key in existing:
            continue
        for old_key in by_text.get((key[0], record.start, record.unit_and_post), ()):
            if old_key not in in_file and old_key in existing:
                existing[key] = existing.pop(old_key)
                break

    return _classify(part, existing, key_of, RESUME_FIELDS)


_DIFFERS = {"roster": _diff_roster, "materials": _diff_materials, "resume": _diff_resume}


# --- applying --------------------------------------------------------------------------


def import_apply(*, analysis: Analysis, user=None, job_id: int | None = None, file_name: str = "", progress: Progress | None = None) -> set[int]:
    """Write a valid analysis in one transaction; returns the ids of the dossiers touched.

    Detection (audits.detection.detect_after_import) runs after the commit."""
    if not analysis.valid:
        raise ValidationError(_("数据有误，不能导入"))
    progress = progress or Progress()
    progress.start(_("写入数据库"))
    progress.done = progress.total // 2
    touched: set[int] = set()
    ctx = analysis.ctx
    source_ref = str(job_id or "")
    note = _("导入文件 %(name)s") % {"name": file_name} if file_name else ""
    with transaction.atomic():
        for part in analysis.parts:
            if part.fmt.kind == "roster":
                touched |= _apply_roster(part, ctx, user, source_ref, note, progress)
            elif part.fmt.kind == "materials":
                touched |= _apply_materials(part, ctx, progress)
            else:
                touched |= _apply_resume(part, ctx, progress)
        audit_log_append(
            actor=user,
            action=AuditLogEntry.Action.IMPORT,
            summary=f"导入{'、'.join(part.fmt.sheet_title for part in analysis.parts)}（{file_name or '文件'}）",
            data={"job": job_id, "file": file_name, "kinds": [part.fmt.kind for part in analysis.parts], "dossiers_touched": len(touched)},
        )
        if touched:
            _schedule_detection(touched, user)
    progress.done = progress.total
    return touched


def _schedule_detection(dossier_ids: set[int], user) -> None:
    ids = set(dossier_ids)

    def detect():
        # Imported here: audits depends on archives, not the other way round at import time.
        from audits.detection import detect_after_import

        detect_after_import(dossier_ids=ids, user=user)

    # The import is committed by then: a queue that cannot take the detection task (Redis down)
    # is logged, never reported as a failed import. Detection can be run again from the campaign.
    transaction.on_commit(detect, robust=True)


def _ensure_units(paths: set[str]) -> dict[str, int]:
    units = {u.full_name: u for u in Unit.objects.all()}
    for path in sorted(paths, key=lambda p: p.count("/")):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            if name not in units:
                unit = Unit(name=parts[depth - 1], parent=units.get("/".join(parts[: depth - 1])) if depth > 1 else None)
                unit.save()
                units[name] = unit
    return {name: unit.pk for name, unit in units.items()}


def _ensure_dossiers(ctx: Context, numbers) -> None:
    """Cadres without a dossier (created elsewhere) get one before materials are filed."""
    missing = [ctx.cadres[n][0] for n in numbers if n in ctx.cadres and ctx.cadres[n][1] is None]
    if missing:
        Dossier.objects.bulk_create([Dossier(cadre_id=pk) for pk in missing], batch_size=BATCH)
        for number, pk, dossier in Cadre.objects.filter(pk__in=missing).values_list("id_number", "pk", "dossier__pk"):
            ctx.cadres[number] = (pk, dossier)


def _cadre_values(record, unit_ids) -> dict:
    values = {name: getattr(record, name) for name in ROSTER_FIELDS if name != "unit"}
    values["unit_id"] = unit_ids[record.unit]
    return values


def _apply_roster(part: PartResult, ctx: Context, user, source_ref: str, note: str, progress: Progress) -> set[int]:
    touched = set()
    unit_ids = _ensure_units({r.unit for r in part.new} | {r.unit for r, _pk, _c in part.updated})
    now = timezone.now()
    if part.new:
        given = ("id_number", *(f if f != "unit" else "unit_id" for f in ROSTER_FIELDS))
        unit_at = 1 + ROSTER_FIELDS.index("unit")
        insert_cadres = _Insert(Cadre, given, {"created_at": now, "updated_at": now})
        insert_dossiers = _Insert(Dossier, ("cadre_id",))
        for batch in _chunks(part.new, INSERT_BATCH):
            rows = []
            for r in batch:
                values = [r.id_number, *(getattr(r, f) for f in ROSTER_FIELDS)]
                values[unit_at] = unit_ids[r.unit]
                rows.append(tuple(values))
            insert_cadres.run(rows)
            cadre_ids = _pks(Cadre, "id_number", [r.id_number for r in batch])
            insert_dossiers.run([(pk,) for pk in cadre_ids.values()])
            dossier_ids = _pks(Dossier, "cadre_id", cadre_ids.values())
            for number, cadre_pk in cadre_ids.items():
                dossier_pk = dossier_ids[cadre_pk]
                ctx.cadres[number] = (cadre_pk, dossier_pk)
                touched.add(dossier_pk)
            progress.advance(len(batch))
    _pause_for_tests()
    update_fields = [("unit" if f == "unit" else f) for f in ROSTER_FIELDS] + ["updated_at"]
    for batch in _chunks(part.updated, BATCH):
        cadres, history = [], []
        for record, pk, changes in batch:
            cadre = Cadre(pk=pk, id_number=record.id_number, updated_at=now, **_cadre_values(record, unit_ids))
            cadres.append(cadre)
            for name, (old, new) in changes.items():
                history.append(
                    CadreInfoChange(
                        cadre_id=pk,
                        field=name,
                        old_value=_display(part.fmt, name, old),
                        new_value=_display(part.fmt, name, new),
                        source=CadreInfoChange.Source.IMPORT,
                        source_ref=source_ref,
                        changed_by=user,
                        changed_at=now,
                        note=note,
                    )
                )
        Cadre.objects.bulk_update(cadres, update_fields, batch_size=BATCH)
        CadreInfoChange.objects.bulk_create(history, batch_size=BATCH)
        touched |= {ctx.cadres[record.id_number][1] for record, _pk, _c in batch}
        progress.advance(len(batch))
    touched.discard(None)
    return touched


def _pause_for_tests() -> None:
    """Tests only (IMPORT_TEST_PAUSE_DIR, from DA_TEST_IMPORT_PAUSE_DIR; never set in
    production): stop in the middle of an import's write, new cadres written and updates not,
    so that a test can kill the worker there (archives/tests/test_import_worker_faults.py)."""
    folder = settings.IMPORT_TEST_PAUSE_DIR
    if not folder:
        return
    Path(folder, f"reached-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while Path(folder, "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def _material_values(record) -> dict:
    return {name: getattr(record, name) for name in MATERIAL_FIELDS}


def _apply_materials(part: PartResult, ctx: Context, progress: Progress) -> set[int]:
    touched = set()
    _ensure_dossiers(ctx, {r.id_number for r in part.new})
    now = timezone.now()
    if part.new:
        given = ("dossier_id", "category_id", "title", "formed_date", *MATERIAL_FIELDS)
        insert = _Insert(Material, given, {"created_at": now})
        for batch in _chunks(part.new, INSERT_BATCH):
            rows = []
            for r in batch:
                dossier = ctx.cadres[r.id_number][1]
                touched.add(dossier)
                rows.append((dossier, r.category[1], r.title, r.formed_date, *(getattr(r, f) for f in MATERIAL_FIELDS)))
            insert.run(rows)
            progress.advance(len(batch))
    for batch in _chunks(part.updated, BATCH):
        rows = [Material(pk=pk, **_material_values(r)) for r, pk, _c in batch]
        Material.objects.bulk_update(rows, MATERIAL_FIELDS, batch_size=BATCH)
        touched |= {ctx.cadres[r.id_number][1] for r, _pk, _c in batch}
        progress.advance(len(batch))
    return touched


def _apply_resume(part: PartResult, ctx: Context, progress: Progress) -> set[int]:
    touched_cadres = set()
    if part.new:
        insert = _Insert(ResumePeriod, ("cadre_id", "start", "kind", "end", "unit_and_post", "proof_material"))
        for batch in _chunks(part.new, INSERT_BATCH):
            rows = []
            for r in batch:
                cadre = ctx.cadres[r.id_number][0]
                touched_cadres.add(cadre)
                rows.append((cadre, r.start, r.kind, r.end, r.unit_and_post, r.proof_material))
            insert.run(rows)
            progress.advance(len(batch))
    for batch in _chunks(part.updated, BATCH):
        rows = [ResumePeriod(pk=pk, kind=r.kind, end=r.end, unit_and_post=r.unit_and_post, proof_material=r.proof_material) for r, pk, _c in batch]
        ResumePeriod.objects.bulk_update(rows, RESUME_FIELDS, batch_size=BATCH)
        touched_cadres |= {ctx.cadres[r.id_number][0] for r, _pk, _c in batch}
        progress.advance(len(batch))
    _ensure_dossiers(ctx, [n for n, (pk, _d) in ctx.cadres.items() if pk in touched_cadres])
    return {dossier for pk, dossier in ctx.cadres.values() if pk in touched_cadres and dossier}


# --- jobs (the web page and the task) ---------------------------------------------------


def _sha256(fh) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(chunk)
    fh.seek(0)
    return digest.hexdigest()


def import_upload(*, user, kind: str, uploaded_file) -> ImportJob:
    """Store an uploaded workbook as a job and check it; a safe file is queued for preview."""
    if kind not in FORMATS:
        raise ValidationError(_("未知的导入类型"))
    name = os.path.basename(uploaded_file.name or "upload.xlsx")[:255]
    job = ImportJob(kind=kind, file_name=name, created_by=user, status=ImportJob.Status.VALIDATING)
    job.file_sha256 = _sha256(uploaded_file)
    job.file.save(f"{kind}.xlsx", File(uploaded_file), save=False)
    job.save()
    try:
        # Only the checks that read the zip's directory (and [Content_Types].xml) run in the
        # request, so that a refusal is immediate and costs milliseconds whatever the file; the
        # streaming pass over every part and the reading happen in the preview task.
        check_container(job.file.path, name=name)
    except WorkbookRefused as exc:
        _fail(job, str(exc), status=ImportJob.Status.FAILED)
        return job
    from archives.tasks import import_preview_task

    transaction.on_commit(lambda: _enqueue(job, import_preview_task))
    return job


def _queue_down_message(job: ImportJob) -> str:
    if job.status == ImportJob.Status.QUEUED:
        return _("任务队列（Redis）暂时无法连接：尚未开始导入，未导入任何数据。请稍后点击“重新提交”；如仍不行，请联系系统管理员")
    return _("任务队列（Redis）暂时无法连接：文件已保存，尚未校验。请稍后点击“重新提交”；如仍不行，请联系系统管理员")


def _enqueue(job: ImportJob, task) -> None:
    """Queue the task for the job. With the queue down the job keeps its file and its state
    (VALIDATING or QUEUED, no task id: ``ImportJob.awaits_queue``), with a message saying so,
    and its uploader resubmits it (import_resubmit)."""
    try:
        result = enqueue(task, job.pk)
    except QueueUnavailable:
        job.message = _queue_down_message(job)
        ImportJob.objects.filter(pk=job.pk).update(message=job.message)
        return
    # In eager mode the task has finished (and saved the job) by now: touch only task_id.
    job.task_id = result.id or ""
    ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)


def _set_if_still(job: ImportJob, **fields) -> bool:
    """Write these fields only while the job is in the state this run found it in: when another
    run of the same task (redelivered, or a duplicate) has finished the job meanwhile, its
    outcome stands and this one's is dropped (the job is reloaded)."""
    written = ImportJob.objects.filter(pk=job.pk, status=job.status).update(**fields)
    if written:
        for name, value in fields.items():
            setattr(job, name, value)
    else:
        job.refresh_from_db()
    return bool(written)


def _fail(job: ImportJob, message: str, *, status=ImportJob.Status.FAILED, issues=None) -> None:
    fields = {"status": status, "message": message, "finished_at": timezone.now()}
    if issues is not None:
        fields["error_count"] = len(issues)
        fields["errors"] = [i.as_dict() for i in issues[:MAX_STORED_ISSUES]]
    _set_if_still(job, **fields)


def _record_analysis(job: ImportJob, analysis: Analysis) -> None:
    _set_if_still(job, warnings=analysis.warnings, counts=analysis.counts())


def _count_attempt(attempt: str) -> int:
    """How many times the task `attempt` (its id: a redelivered message keeps it) has started.
    Kept in the cache (Redis, with a worker); best effort."""
    if not attempt:
        return 1
    key = f"archives:imports:attempts:{attempt}"
    try:
        cache.add(key, 0, ATTEMPTS_TTL)
        return cache.incr(key)
    except (ValueError, redis.exceptions.RedisError) as exc:
        logger.warning("import task %s: attempt not counted (%s)", attempt, exc)
        return 1


def _begin(job: ImportJob, *, waiting, working, attempt: str, gave_up: str) -> bool:
    """Start a task's work on the job, or take it up again: tasks are acknowledged late, so a
    worker that dies mid-task leaves the message to another, which finds the job still
    `working`. False when there is nothing left to do (the job is finished or cancelled, or
    the task has been redelivered MAX_TASK_ATTEMPTS times: then it fails, with `gave_up`)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (waiting, working):
            return False
        if _count_attempt(attempt) > MAX_TASK_ATTEMPTS:
            logger.error("import %s: task %s redelivered too often, giving up", job.pk, attempt)
            locked.status, locked.message, locked.finished_at = ImportJob.Status.FAILED, gave_up, timezone.now()
            locked.save(update_fields=["status", "message", "finished_at"])
            return False
        if locked.status != working:
            locked.status = working
            locked.save(update_fields=["status"])
    return True


def import_preview(*, job: ImportJob, attempt: str = "") -> ImportJob:
    """Task body: analyse the job's file; keep its preview, or every error, for the page.

    Writes nothing but the job, so a redelivered task simply analyses again; one that finds the
    job past validation does nothing."""
    gave_up = _("文件校验多次中断（后台任务进程退出），请检查文件或联系系统管理员")
    started = _begin(job, waiting=ImportJob.Status.VALIDATING, working=ImportJob.Status.VALIDATING, attempt=attempt, gave_up=gave_up)
    job.refresh_from_db()
    if not started:
        return job
    progress = Progress(job.pk)
    try:
        analysis = import_analyse(path=job.file.path, kind=job.kind, progress=progress, user=job.created_by)
    except WorkbookRefused as exc:
        _fail(job, str(exc))
        return job
    except Exception:
        logger.exception("import %s: preview failed", job.pk)
        _fail(job, _("校验时发生内部错误，请联系系统管理员"))
        return job
    finally:
        progress.close()
    _record_analysis(job, analysis)
    if not analysis.valid:
        _fail(job, _("数据有误，共 %(n)s 处，未导入任何数据") % {"n": len(analysis.issues)}, status=ImportJob.Status.INVALID, issues=analysis.issues)
        return job
    _set_if_still(job, preview=analysis.preview(), status=ImportJob.Status.PREVIEWED, message="")
    return job


def _refuse_unless_uploader(job: ImportJob, user) -> None:
    """Every archivist sees every import (the archive room's shared work), but the data is
    written in the uploader's name, so only the uploader confirms or cancels it."""
    if user is None or job.created_by_id != user.pk:
        raise ValidationError(_("只有上传该文件的管档人员可以确认或取消导入"))


@transaction.atomic
def import_confirm(*, job: ImportJob, user) -> ImportJob:
    """The archivist confirms a previewed import: queue it."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    _refuse_unless_uploader(locked, user)
    if locked.status != ImportJob.Status.PREVIEWED:
        raise ValidationError(_("该导入当前状态为“%(s)s”，不能确认导入") % {"s": locked.get_status_display()})
    locked.status = ImportJob.Status.QUEUED
    locked.progress_done = 0
    locked.task_id = ""  # the preview's; the run's is set once it is queued
    locked.save(update_fields=["status", "progress_done", "task_id"])
    from archives.tasks import import_run_task

    transaction.on_commit(lambda: _enqueue(locked, import_run_task))
    return locked


@transaction.atomic
def import_resubmit(*, job: ImportJob, user) -> ImportJob:
    """Queue again a job the queue could not take (Redis was down): its file was kept, and it
    waits, validating or confirmed, for its task."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    _refuse_unless_uploader(locked, user)
    if not locked.awaits_queue:
        raise ValidationError(_("该导入当前状态为“%(s)s”，已在后台处理或已结束，无需重新提交") % {"s": locked.get_status_display()})
    from archives.tasks import import_preview_task, import_run_task

    task = import_run_task if locked.status == ImportJob.Status.QUEUED else import_preview_task
    locked.message = ""
    locked.save(update_fields=["message"])
    transaction.on_commit(lambda: _enqueue(locked, task))
    return locked


@transaction.atomic
def import_cancel(*, job: ImportJob, user) -> ImportJob:
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    _refuse_unless_uploader(locked, user)
    if locked.status != ImportJob.Status.PREVIEWED:
        raise ValidationError(_("只能取消待确认的导入"))
    locked.status = ImportJob.Status.CANCELLED
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    return locked


class _Superseded(Exception):
    """Another run of the same import finished it first: roll this one back."""


def import_run(*, job: ImportJob, attempt: str = "") -> ImportJob:
    """Task body: re-read the file (the database may have changed since the preview) and apply it.

    Safe to run more than once for one job (tasks are acknowledged late: a worker killed
    mid-import leaves the task to the next one). The rows and the job's SUCCEEDED are committed
    in one transaction, so a run that dies leaves nothing of its writes and the job RUNNING; the
    next run analyses again against the database as it is and applies; a run that finds the job
    finished does nothing; and of two runs at once, only the first to commit counts (the other's
    final status update finds the job no longer RUNNING and rolls its writes back)."""
    gave_up = _("导入多次中断（后台任务进程退出），未导入任何数据，请联系系统管理员")
    started = _begin(job, waiting=ImportJob.Status.QUEUED, working=ImportJob.Status.RUNNING, attempt=attempt, gave_up=gave_up)
    job.refresh_from_db()
    if not started:
        return job
    progress = Progress(job.pk)
    try:
        analysis = import_analyse(path=job.file.path, kind=job.kind, progress=progress, user=job.created_by)
        _record_analysis(job, analysis)
        if not analysis.valid:
            _fail(job, _("数据有误，共 %(n)s 处，未导入任何数据") % {"n": len(analysis.issues)}, status=ImportJob.Status.INVALID, issues=analysis.issues)
            return job
        with transaction.atomic():
            import_apply(analysis=analysis, user=job.created_by, job_id=job.pk, file_name=job.file_name, progress=progress)
            finished = _set_if_still(
                job,
                status=ImportJob.Status.SUCCEEDED,
                finished_at=timezone.now(),
                progress_done=analysis.rows * 2,
                progress_total=analysis.rows * 2,
                message=_("导入完成：新增 %(new)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条") % job.counts,
            )
            if not finished:
                raise _Superseded
    except _Superseded:
        logger.warning("import %s: finished by another run; this run's writes are rolled back", job.pk)
        job.refresh_from_db()
        return job
    except WorkbookRefused as exc:
        _fail(job, str(exc))
        return job
    except IntegrityError:
        logger.exception("import %s: conflicting write", job.pk)
        _fail(job, _("导入期间数据被同时修改，未导入任何数据，请重新导入"))
        return job
    except Exception:
        logger.exception("import %s failed", job.pk)
        _fail(job, _("导入时发生内部错误，未导入任何数据，请联系系统管理员"))
        return job
    finally:
        progress.close()
    return job


@dataclass
class FileOutcome:
    analysis: Analysis
    job: ImportJob | None


def import_file(*, path, kind: str, user=None, dry_run: bool = False) -> FileOutcome:
    """The command's import: synchronous, no preview step. A job is recorded only when data is
    written (its id is the source_ref of the history rows). Raises WorkbookRefused."""
    analysis = import_analyse(path=path, kind=kind, user=user)
    if dry_run or not analysis.valid:
        return FileOutcome(analysis, None)
    name = os.path.basename(str(path))[:255]
    with open(path, "rb") as fh:
        job = ImportJob(kind=kind, file_name=name, created_by=user, status=ImportJob.Status.RUNNING, file_sha256=_sha256(fh))
        job.file.save(f"{kind}.xlsx", File(fh), save=False)
    job.counts = analysis.counts()
    job.warnings = analysis.warnings
    job.save()
    try:
        import_apply(analysis=analysis, user=user, job_id=job.pk, file_name=name)
    except Exception:
        _fail(job, _("导入失败，未导入任何数据"))
        raise
    job.status = ImportJob.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.message = _("导入完成：新增 %(new)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条") % job.counts
    job.save(update_fields=["status", "finished_at", "message"])
    return FileOutcome(analysis, job)
