"""Report pages and downloads, for the section chief and the leader (INTERFACES.md)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from archives.roles import Role, role_required
from archives.services import dossier_record_use
from audits import selectors as audit_selectors
from audits.models import AuditCase, Campaign

from . import narrative, selectors, services
from .data import share
from .forms import ReportSettingsForm
from .models import DocumentKind, ReportJob, ReportSettings

REPORT_ROLES = (Role.CHIEF, Role.LEADER)
KIND_SLUGS = {"summary": DocumentKind.SUMMARY, "sheets": DocumentKind.SHEETS, "workbook": DocumentKind.WORKBOOK}


def _get_campaign_for_user(user, pk) -> Campaign:
    """Chiefs and leaders see every campaign (the audits app's access check)."""
    return audit_selectors.get_campaign_for_user(user, pk)


def _jobs_for_user(user):
    """A batch of 认定表 is built for the one who asked (without their own and relatives'
    cadres), so only they see it; the summary and the workbook are shared."""
    return ReportJob.objects.exclude(Q(kind=DocumentKind.SHEETS) & ~Q(created_by=user))


def _get_job_for_user(user, pk) -> ReportJob:
    return get_object_or_404(_jobs_for_user(user).select_related("campaign"), pk=pk)


def _file_response(document: services.Document) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.file_name)
    response["Cache-Control"] = "no-store"
    return response


def _deliver(request, campaign: Campaign, kind: str, case: AuditCase | None = None):
    """Build a document now and record the download; large campaigns go to the job page."""
    if kind in services.CAMPAIGN_KINDS and services.runs_in_background(campaign, kind):
        slug = next(s for s, k in KIND_SLUGS.items() if k == kind)
        return redirect("reports:generate", pk=campaign.pk, kind=slug)
    document = services.document_build(kind=kind, campaign=campaign, case=case, user=request.user)
    services.report_download_record(user=request.user, kind=kind, campaign=campaign, case=case, file_name=document.file_name, size=len(document.content))
    return _file_response(document)


@role_required(*REPORT_ROLES)
def campaign_list(request):
    campaigns = Campaign.objects.order_by("-created_at")
    return render(request, "reports/campaign_list.html", {"campaigns": campaigns})


@never_cache
@role_required(*REPORT_ROLES)
def summary_pdf(request, pk):
    return _deliver(request, _get_campaign_for_user(request.user, pk), DocumentKind.SUMMARY)


@never_cache
@role_required(*REPORT_ROLES)
def sheets_pdf(request, pk):
    return _deliver(request, _get_campaign_for_user(request.user, pk), DocumentKind.SHEETS)


@never_cache
@role_required(*REPORT_ROLES)
def workbook_xlsx(request, pk):
    return _deliver(request, _get_campaign_for_user(request.user, pk), DocumentKind.WORKBOOK)


@never_cache
@role_required(*REPORT_ROLES)
def sheet_pdf(request, case_pk):
    """One cadre's 认定表: the dossier's contents, so the case's access check (never one's own
    or a relative's) and a 利用 register row, as for the case page."""
    case = audit_selectors.get_case_for_user(request.user, case_pk)
    dossier_record_use(dossier=case.dossier, user=request.user, purpose=f"专项审核认定表：{case.campaign.name}", path=request.path)
    return _deliver(request, case.campaign, DocumentKind.SHEET, case=case)


@role_required(*REPORT_ROLES)
def dashboard(request, pk):
    campaign = _get_campaign_for_user(request.user, pk)
    stats = selectors.campaign_statistics(campaign)
    total = stats.total_cases
    categories = [(c, share(c.cadres, total)) for c in stats.categories]
    chart_data = {
        "stages": {"labels": [r.label for r in stats.stages], "values": [r.count for r in stats.stages]},
        "categories": {"labels": [c.label for c in stats.categories], "values": [c.cadres for c in stats.categories]},
        "states": {"labels": [r.label for r in stats.states], "values": [r.count for r in stats.states]},
        "units": {"labels": [r.label for r in stats.by_unit], "values": [r.discrepancies for r in stats.by_unit]},
        "auditors": {
            "labels": [a.name for a in stats.auditors],
            "initial": [a.initial_done for a in stats.auditors],
            "re_review": [a.re_done for a in stats.auditors],
        },
    }
    context = {
        "campaign": campaign,
        "stats": stats,
        "categories": categories,
        "consistent_share": share(stats.consistent_cadres, total),
        "chart_data": chart_data,
        "background": services.runs_in_background(campaign),
        "recent_jobs": _jobs_for_user(request.user).filter(campaign=campaign).select_related("created_by")[:5],
    }
    return render(request, "reports/dashboard.html", context)


@role_required(Role.CHIEF)
@require_http_methods(["GET", "POST"])
def settings_edit(request, pk):
    campaign = _get_campaign_for_user(request.user, pk)
    row = ReportSettings.objects.filter(campaign=campaign).first() or ReportSettings(campaign=campaign)
    defaults = selectors.report_narrative(campaign)
    if request.method == "POST":
        form = ReportSettingsForm(request.POST, instance=row)
        if form.is_valid():
            services.report_settings_update(campaign=campaign, user=request.user, **form.cleaned_data)
            messages.success(request, _("报告内容已保存。"))
            return redirect("reports:dashboard", pk=campaign.pk)
    else:
        # Start from the product's default wording wherever nothing has been written yet.
        initial = {name: getattr(row, name) or getattr(defaults, name) for name in ("title", "addressee", "issuing_unit", "opening", "practices", "problems")}
        form = ReportSettingsForm(instance=row, initial=initial)
    # Each category's resolution paragraph follows the data: shown as it reads today, never saved.
    form.show_resolution_defaults({c.code: narrative.category_resolution(c) for c in selectors.campaign_statistics(campaign).categories})
    return render(request, "reports/settings_form.html", {"campaign": campaign, "form": form, "default_practices": narrative.DEFAULT_PRACTICES})


@role_required(*REPORT_ROLES)
@require_http_methods(["GET", "POST"])
def generate(request, pk, kind):
    """Background generation of a large campaign's document: start it, see recent ones."""
    campaign = _get_campaign_for_user(request.user, pk)
    if kind not in KIND_SLUGS:
        raise Http404
    doc_kind = KIND_SLUGS[kind]
    if request.method == "POST":
        job = services.report_job_start(campaign=campaign, kind=doc_kind, user=request.user)
        return redirect("reports:job", pk=job.pk)  # which says so when the queue could not take it
    jobs = _jobs_for_user(request.user).filter(campaign=campaign, kind=doc_kind).select_related("created_by")[:10]
    return render(request, "reports/generate.html", {"campaign": campaign, "kind": kind, "kind_label": doc_kind.label, "jobs": jobs})


@never_cache
@role_required(*REPORT_ROLES)
def job_detail(request, pk):
    job = _get_job_for_user(request.user, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "stage": job.stage,
                "progress": job.progress_percent,
                "done": job.progress_done,
                "total": job.progress_total,
                "download_url": reverse("reports:job_download", args=[job.pk]) if job.status == ReportJob.Status.SUCCEEDED else None,
                "message": job.message,
            }
        )
    slug = next((s for s, k in KIND_SLUGS.items() if k == job.kind), None)
    return render(request, "reports/job_detail.html", {"job": job, "kind_slug": slug})


@never_cache
@role_required(*REPORT_ROLES)
def job_download(request, pk):
    job = _get_job_for_user(request.user, pk)
    if job.status != ReportJob.Status.SUCCEEDED or not job.file:
        raise Http404("文件尚未生成")
    with job.file.open("rb") as handle:
        content = handle.read()
    document = services.Document(content=content, file_name=job.file_name, content_type=services.CONTENT_TYPES[job.kind])
    services.report_download_record(user=request.user, kind=job.kind, campaign=job.campaign, job=job, file_name=job.file_name, size=len(content))
    return _file_response(document)
