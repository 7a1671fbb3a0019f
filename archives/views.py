from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .forms import CadreForm, CadreSearchForm, LendForm, MaterialForm, ReceiptReturnedForm, ResumePeriodForm, SendOutForm, TransferForm
from .models import Cadre, CadreInfoChange, DossierTransfer, DossierUse, MaterialReceipt, MaterialSendOut, MaterialWeeding, ResumePeriod
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


@role_required(Role.ARCHIVIST)
def cadre_list(request):
    form = CadreSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.cadre_search(request.user, q=filters.get("q", ""), unit=filters.get("unit"), rank=filters.get("rank", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "archives/cadre_list.html", {"form": form, "page": page, "query": query.urlencode()})


@role_required(Role.ARCHIVIST)
def cadre_detail(request, pk):
    cadre = selectors.get_cadre_for_archivist(request.user, pk)
    services.dossier_record_use(dossier=cadre.dossier, user=request.user, purpose="管档人员查阅档案", path=request.path)
    context = {"cadre": cadre, **selectors.cadre_dossier_contents(cadre), "resume_editable": True}
    dossier = cadre.dossier
    context["registers"] = {
        "receipts": MaterialReceipt.objects.filter(dossier=dossier).select_related("recorded_by")[:50],
        "sendouts": MaterialSendOut.objects.filter(dossier=dossier)[:50],
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


REGISTERS = {
    "receipts": (MaterialReceipt, gettext_lazy("干部档案材料接收登记表")),
    "sendouts": (MaterialSendOut, gettext_lazy("转出档案材料登记簿")),
    "uses": (DossierUse, gettext_lazy("利用干部档案登记簿")),
    "transfers": (DossierTransfer, gettext_lazy("档案传递登记簿")),
    "weedings": (MaterialWeeding, gettext_lazy("剔除材料登记簿")),
}


@role_required(Role.ARCHIVIST)
def register_index(request, name="uses"):
    if name not in REGISTERS:
        name = "uses"
    model, title = REGISTERS[name]
    # Entries about the archivist's own or a relative's dossier (titles of its materials, who
    # read it) are that dossier's contents: left out, like the dossier itself (回避).
    recused = selectors.recused_cadre_ids(request.user)
    qs = model.objects.exclude(dossier__cadre_id__in=recused).select_related("dossier__cadre", "recorded_by").order_by("-serial")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    overdue = (
        DossierTransfer.objects.filter(receipt_returned_on__isnull=True).exclude(dossier__cadre_id__in=recused).select_related("dossier__cadre")
        if name == "transfers"
        else None
    )
    overdue = [t for t in overdue if t.receipt_overdue] if overdue is not None else []
    return render(request, "archives/register_list.html", {"registers": REGISTERS, "name": name, "title": title, "page": page, "overdue": overdue})


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
