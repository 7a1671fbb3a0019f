from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import listing, selectors, services
from .forms import (
    CadreForm,
    CadreSearchForm,
    LendForm,
    MaterialForm,
    ReceiptReturnedForm,
    RegisterFilterForm,
    ResumePeriodForm,
    SendOutForm,
    TransferForm,
)
from .models import Cadre, CadreInfoChange, DossierTransfer, DossierUse, MaterialReceipt, MaterialSendOut, MaterialWeeding, ResumePeriod
from .registers import DEFAULT_REGISTER, DEFAULT_SORT, REGISTERS, person_name
from .roles import Role, role_required


@never_cache
@require_GET
def healthz(request):
    """Liveness for operators: database, task queue mode and broker reachability."""
    body = {"database": False, "task_queue": "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "broker", "broker": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = True
    except Exception as exc:  # any failure means unhealthy; say which
        body["database_error"] = exc.__class__.__name__
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        import redis

        try:
            client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
            body["broker"] = bool(client.ping())
        except Exception as exc:  # unreachable broker: report, do not raise
            body["broker"] = False
            body["broker_error"] = exc.__class__.__name__
    healthy = body["database"] and body["broker"] is not False
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)


CADRE_SORTS = {
    "name": ("name",),
    "gender": ("gender",),
    "unit": ("unit__full_name", "name"),
    "position": ("position",),
    "rank": ("rank_order", "name"),
    "birth": ("birth_date",),
    "work": ("work_start_date",),
    "party": ("party_join_date",),
    "education": ("education_order", "name"),
}
CADRE_COLUMNS = [
    (gettext_lazy("姓名"), 10),
    (gettext_lazy("性别"), 6),
    (gettext_lazy("身份证号"), 21),
    (gettext_lazy("单位"), 28),
    (gettext_lazy("职务"), 20),
    (gettext_lazy("职级"), 8),
    (gettext_lazy("出生日期"), 11),
    (gettext_lazy("参加工作时间"), 12),
    (gettext_lazy("入党时间"), 11),
    (gettext_lazy("学历"), 10),
]


def _cadre_rows(request):
    form = CadreSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.cadre_list_rows(request.user, q=filters.get("q", ""), unit=filters.get("unit"), rank=filters.get("rank", ""))
    return form, qs


@role_required(Role.ARCHIVIST)
def cadre_list(request):
    form, qs = _cadre_rows(request)
    context = listing.list_page(request, qs, sorts=CADRE_SORTS, default_sort="unit")
    return render(request, "archives/cadre_list.html", {"form": form, "export_query": listing.export_query(request), **context})


@role_required(Role.ARCHIVIST)
@require_GET
def cadre_export(request):
    """The cadre list as filtered and sorted, with its columns and nothing more (the ID number
    masked as on the page). Names, units and ranks are no dossier contents: no 利用 rows."""
    _form, qs = _cadre_rows(request)
    qs, _sort = listing.sort_queryset(qs, CADRE_SORTS, request.GET.get("sort"), "unit")
    count = qs.count()
    if count > listing.EXPORT_LIMIT:
        messages.error(request, _("共 %(n)s 人，超过一次导出的上限 %(limit)s 条，请缩小查询范围") % {"n": count, "limit": listing.EXPORT_LIMIT})
        return redirect(reverse("archives:cadre_list") + "?" + listing.export_query(request))
    rows = (
        (
            c.name,
            c.gender,
            c.masked_id_number,
            c.unit.full_name,
            c.position,
            c.rank,
            str(c.birth_date or ""),
            str(c.work_start_date or ""),
            str(c.party_join_date or ""),
            c.education,
        )
        for c in qs.iterator(chunk_size=2000)
    )
    title = _("干部名单")
    content = listing.xlsx_table(title=title, headers=[h for h, _w in CADRE_COLUMNS], rows=rows, widths=[w for _h, w in CADRE_COLUMNS])
    services.list_export_record(user=request.user, what=title, query=listing.export_query(request), count=count)
    return listing.xlsx_response(content, f"{title}_{timezone.localdate():%Y%m%d}.xlsx")


@role_required(Role.ARCHIVIST)
def cadre_detail(request, pk):
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    services.dossier_record_use(dossier=cadre.dossier, user=request.user, purpose="管档人员查阅档案", path=request.path)
    context = {"cadre": cadre, **selectors.cadre_dossier_contents(cadre), "resume_editable": True}
    dossier = cadre.dossier
    context["registers"] = {
        "receipts": MaterialReceipt.objects.filter(dossier=dossier).select_related("recorded_by")[:50],
        "sendouts": MaterialSendOut.objects.filter(dossier=dossier).select_related("recorded_by")[:50],
        "uses": DossierUse.objects.filter(dossier=dossier).select_related("user")[:50],
        "transfers": DossierTransfer.objects.filter(dossier=dossier)[:50],
        "weedings": MaterialWeeding.objects.filter(dossier=dossier)[:50],
    }
    return render(request, "archives/cadre_detail.html", context)


@role_required(Role.ARCHIVIST)
def cadre_create(request):
    form = CadreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cadre = services.cadre_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已新建干部 %(name)s 及其档案") % {"name": cadre.name})
            return redirect("archives:cadre_detail", pk=cadre.pk)
    return render(request, "archives/cadre_form.html", {"form": form, "creating": True})


@role_required(Role.ARCHIVIST)
def cadre_edit(request, pk):
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    form = CadreForm(request.POST or None, instance=Cadre.objects.get(pk=cadre.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            changes = services.cadre_update(cadre=cadre, user=request.user, source=CadreInfoChange.Source.MANUAL, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("已保存，%(count)s 项信息发生变化，原值已记入变更记录") % {"count": len(changes)} if changes else _("已保存，信息未变化")
            )
            return redirect("archives:cadre_detail", pk=cadre.pk)
    return render(request, "archives/cadre_form.html", {"form": form, "cadre": cadre})


@role_required(Role.ARCHIVIST)
def cadre_resume_period(request, pk, period_pk=None):
    """Add a period to a résumé, or correct one (its kind included)."""
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    period = get_object_or_404(ResumePeriod, pk=period_pk, cadre=cadre) if period_pk else None
    form = ResumePeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if period is None:
                services.resume_period_create(cadre=cadre, user=request.user, **fields)
            else:
                services.resume_period_update(period=period, user=request.user, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("经历已保存"))
            return redirect(f"{reverse('archives:cadre_detail', args=[cadre.pk])}#resume")
    return render(request, "archives/resume_form.html", {"cadre": cadre, "form": form, "period": period})


def _register_rows(request, name):
    """The register, its filter form and the entries the filter selects (回避 kept)."""
    if name not in REGISTERS:
        raise Http404
    register = REGISTERS[name]
    form = RegisterFilterForm(request.GET or None)
    filters = form.filters()
    return register, form, filters, selectors.register_entries(request.user, register, **filters)


def _filter_text(register, filters) -> str:
    """The filter in words, for the printed title and the export's log entry."""
    parts = []
    if filters.get("q"):
        parts.append(_("检索：%(q)s") % {"q": filters["q"]})
    start, end = filters.get("date_from"), filters.get("date_to")
    label = register.date_label
    if start and end:
        parts.append(_("%(label)s：%(start)s 至 %(end)s") % {"label": label, "start": start.isoformat(), "end": end.isoformat()})
    elif start:
        parts.append(_("%(label)s：%(start)s 起") % {"label": label, "start": start.isoformat()})
    elif end:
        parts.append(_("%(label)s：截至 %(end)s") % {"label": label, "end": end.isoformat()})
    return "；".join(parts) if parts else _("全部登记")


@role_required(Role.ARCHIVIST)
def register_index(request, name=DEFAULT_REGISTER):
    """A register as a list: search, date range, sorting, paging. Showing entries records no use
    of a dossier (an entry is no dossier contents beyond itself)."""
    if name not in REGISTERS:
        name = DEFAULT_REGISTER
    register, form, filters, qs = _register_rows(request, name)
    context = listing.list_page(request, qs, sorts=register.sorts, default_sort=DEFAULT_SORT)
    rows = [(entry, zip(register.columns, register.cells(entry), strict=True)) for entry in context["page"]]
    overdue = []
    if name == "transfers":
        recused = selectors.recused_cadre_ids(request.user)
        pending = DossierTransfer.objects.filter(receipt_returned_on__isnull=True).exclude(dossier__cadre_id__in=recused).select_related("dossier__cadre")
        overdue = [t for t in pending if t.receipt_overdue]
    return render(
        request,
        "archives/register_list.html",
        {
            "registers": REGISTERS,
            "name": name,
            "register": register,
            "title": register.title,
            "form": form,
            "rows": rows,
            "overdue": overdue,
            "filter_text": _filter_text(register, filters),
            "filtered": bool(filters),
            "export_query": listing.export_query(request),
            **context,
        },
    )


@role_required(Role.ARCHIVIST)
@require_GET
def register_export(request, name):
    """The register as filtered and sorted on its page, all of it (not one page), to xlsx."""
    register, _form, filters, qs = _register_rows(request, name)
    qs, _sort = listing.sort_queryset(qs, register.sorts, request.GET.get("sort"), DEFAULT_SORT)
    count = qs.count()
    if count > listing.EXPORT_LIMIT:
        messages.error(request, _("共 %(n)s 条，超过一次导出的上限 %(limit)s 条，请缩小日期范围") % {"n": count, "limit": listing.EXPORT_LIMIT})
        return redirect(reverse("archives:register", args=[name]) + "?" + listing.export_query(request))
    content = listing.xlsx_table(
        title=str(register.title),
        headers=[c.label for c in register.columns],
        rows=(register.cells(entry) for entry in qs.iterator(chunk_size=2000)),
        widths=[c.width for c in register.columns],
    )
    services.list_export_record(user=request.user, what=str(register.title), query=_filter_text(register, filters), count=count)
    return listing.xlsx_response(content, f"{register.title}_{timezone.localdate():%Y%m%d}.xlsx")


PRINT_LIMIT = 2000


@role_required(Role.ARCHIVIST)
@require_GET
def register_print(request, name):
    """The register as filtered and sorted, on paper: its name and the filter as the title,
    every entry (up to PRINT_LIMIT) in one table whose header repeats on each page."""
    register, _form, filters, qs = _register_rows(request, name)
    qs, _sort = listing.sort_queryset(qs, register.sorts, request.GET.get("sort"), DEFAULT_SORT)
    entries = list(qs[: PRINT_LIMIT + 1])
    return render(
        request,
        "archives/register_print.html",
        {
            "register": register,
            "title": register.title,
            "name": name,
            "rows": [register.cells(entry) for entry in entries[:PRINT_LIMIT]],
            "truncated": len(entries) > PRINT_LIMIT,
            "print_limit": PRINT_LIMIT,
            "filter_text": _filter_text(register, filters),
            "printed_at": timezone.localtime(),
            "printed_by": person_name(request.user),
            "back_query": request.GET.urlencode(),
        },
    )


@role_required(Role.ARCHIVIST)
def cadre_history(request, pk):
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    changes = get_object_or_404(Cadre, pk=cadre.pk).changes.select_related("changed_by")
    return render(request, "archives/cadre_history.html", {"cadre": cadre, "changes": changes})


REGISTER_ACTIONS = {
    "material": (gettext_lazy("登记接收材料"), MaterialForm),
    "sendout": (gettext_lazy("登记转出材料"), SendOutForm),
    "lend": (gettext_lazy("登记借阅（借出档案）"), LendForm),
    "transfer": (gettext_lazy("登记档案转递"), TransferForm),
}


@role_required(Role.ARCHIVIST)
def cadre_register_action(request, pk, action):
    """One form per register entry an archivist writes for a dossier."""
    if action not in REGISTER_ACTIONS:
        raise Http404
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    title, form_class = REGISTER_ACTIONS[action]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        dossier = cadre.dossier
        try:
            if action == "material":
                services.material_create(dossier=dossier, user=request.user, sender=data.pop("sender"), received_on=data.pop("received_on"), **data)
            elif action == "sendout":
                services.material_send_out(dossier=dossier, user=request.user, **data)
            elif action == "lend":
                services.dossier_lend(dossier=dossier, user=request.user, **data)
            else:
                services.dossier_transfer(dossier=dossier, user=request.user, from_unit=cadre.unit.full_name, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(title)s：已登记") % {"title": title})
            return redirect("archives:cadre_detail", pk=cadre.pk)
    return render(request, "archives/register_form.html", {"cadre": cadre, "form": form, "title": title})


@role_required(Role.ARCHIVIST)
@require_POST
def dossier_return(request, pk):
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    try:
        services.dossier_return(dossier=cadre.dossier, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("档案已归还入库"))
    return redirect("archives:cadre_detail", pk=cadre.pk)


@role_required(Role.ARCHIVIST)
@require_POST
def transfer_receipt(request, pk):
    transfer = get_object_or_404(DossierTransfer, pk=pk)
    selectors.get_cadre_for_archivist(request.user, transfer.dossier.cadre_id)
    form = ReceiptReturnedForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_receipt_returned(transfer=transfer, user=request.user, returned_on=form.cleaned_data["returned_on"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("回执退回已登记"))
    else:
        messages.error(request, _("请填写有效的回执退回日期"))
    return redirect("archives:register", name="transfers")
