"""Reads of the archives domain, and the access check every cadre fetch goes through."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from .listing import choice_order
from .models import Cadre, CadreInfoChange, Education, Material, Rank, ResumePeriod, Unit
from .resume import resume_outline
from .roles import Role, has_role


def recused_cadre_ids(user) -> set[int]:
    """Cadres this user may never read: their own record and declared relatives (回避)."""
    ids = set(user.recusals.values_list("cadre_id", flat=True))
    own = Cadre.objects.filter(user=user).values_list("pk", flat=True).first()
    if own:
        ids.add(own)
    return ids


def cadres_visible_to_archivist(user) -> QuerySet[Cadre]:
    return Cadre.objects.exclude(pk__in=recused_cadre_ids(user))


def get_cadre_for_archivist(user, pk: int) -> Cadre:
    """404 when the user may not see the cadre (not an archivist, own or relative's dossier)."""
    if not has_role(user, Role.ARCHIVIST):
        raise Http404
    try:
        return cadres_visible_to_archivist(user).select_related("unit", "dossier", "user").get(pk=pk)
    except Cadre.DoesNotExist:
        raise Http404 from None


def cadre_search(user, *, q: str = "", unit: Unit | None = None, rank: str = "") -> QuerySet[Cadre]:
    qs = cadres_visible_to_archivist(user).select_related("unit")
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(id_number__icontains=q.upper()) | Q(unit__full_name__icontains=q) | Q(position__icontains=q))
    if unit is not None:
        qs = qs.filter(unit_id__in=unit.descendant_ids())
    if rank:
        qs = qs.filter(rank=rank)
    return qs.order_by("unit__full_name", "name", "pk")


def cadre_list_rows(user, *, q: str = "", unit: Unit | None = None, rank: str = "") -> QuerySet[Cadre]:
    """The cadre list: the search, with the orders its columns sort by (职级 highest first,
    学历 lowest first, as the vocabularies run)."""
    return cadre_search(user, q=q, unit=unit, rank=rank).annotate(
        rank_order=choice_order("rank", Rank.values), education_order=choice_order("education", Education.values)
    )


def register_entries(user, register, *, q: str = "", date_from=None, date_to=None) -> QuerySet:
    """Entries of a register (archives.registers.Register) found by the cadre's name or ID
    number and a range of the register's date. Entries about the user's own or a relative's
    dossier (titles of its materials, who read it) are that dossier's contents: left out,
    like the dossier itself (回避)."""
    qs = register.model.objects.exclude(dossier__cadre_id__in=recused_cadre_ids(user)).select_related(*register.related)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(dossier__cadre__name__icontains=q) | Q(dossier__cadre__id_number__icontains=q.upper()))
    lookup = register.date_field + ("__date" if register.date_field == "recorded_at" else "")
    if date_from:
        qs = qs.filter(**{f"{lookup}__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{lookup}__lte": date_to})
    return qs


def cadre_dossier_contents(cadre: Cadre) -> dict:
    """Everything shown about one dossier: materials by category, résumé, history."""
    materials = list(
        Material.objects.filter(dossier__cadre=cadre, weeded_at__isnull=True)
        .select_related("category", "category__parent")
        .order_by("category__order", "formed_date", "title")
    )
    by_category: dict = {}
    for material in materials:
        by_category.setdefault(material.category, []).append(material)
    resume = list(ResumePeriod.objects.filter(cadre=cadre).order_by("start", "kind"))
    return {
        "materials": materials,
        "materials_by_category": sorted(by_category.items(), key=lambda item: item[0].order),
        "resume": resume,
        "resume_rows": resume_outline(resume),
        "history": list(CadreInfoChange.objects.filter(cadre=cadre).select_related("changed_by")[:200]),
    }


def units_for_choice() -> QuerySet[Unit]:
    return Unit.objects.order_by("full_name")


def prefetch_for_detection() -> list[Prefetch]:
    return [Prefetch("dossier__materials", queryset=Material.objects.filter(weeded_at__isnull=True).select_related("category"))]
