"""Excel imports for archivists: templates, upload, preview, confirm, progress, history."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .imports import service
from .imports.formats import FORMATS
from .imports.reader import WorkbookRefused
from .imports.templates import error_workbook, template_workbook
from .models import ImportJob
from .roles import Role, role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 1000


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


def _get_job_for_user(user, pk, *, act: bool = False) -> ImportJob:
    """Imports are the archive room's shared work: every archivist sees every import (its
    preview, progress and error file); only the uploader confirms or cancels it (403)."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if act and job.created_by_id != user.pk:
        raise PermissionDenied(_("只有上传该文件的管档人员可以确认或取消导入"))
    return job


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@role_required(Role.ARCHIVIST)
@require_GET
def import_template(request, kind):
    if kind not in FORMATS:
        raise Http404
    return _xlsx(template_workbook(kind), f"{FORMATS[kind].sheet_title}导入模板.xlsx")


@role_required(Role.ARCHIVIST)
@require_GET
def import_index(request):
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-pk")
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    form = ImportUploadForm(initial={"kind": request.GET.get("kind", ImportJob.Kind.ROSTER)})
    return render(request, "archives/import_index.html", {"form": form, "page": page, "formats": FORMATS.values()})


@role_required(Role.ARCHIVIST)
@require_POST
def import_upload(request):
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-pk")
        page = Paginator(jobs, 30).get_page(1)
        return render(request, "archives/import_index.html", {"form": form, "page": page, "formats": FORMATS.values()}, status=400)
    job = service.import_upload(user=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"])
    if job.status == ImportJob.Status.FAILED:
        messages.error(request, job.message)
    return redirect("archives:import_detail", pk=job.pk)


@role_required(Role.ARCHIVIST)
@require_GET
def import_detail(request, pk):
    job = _get_job_for_user(request.user, pk)
    errors = job.errors[:SHOWN_ERRORS]
    return render(request, "archives/import_detail.html", {"job": job, "errors": errors, "errors_hidden": job.error_count - len(errors)})


@never_cache
@role_required(Role.ARCHIVIST)
@require_GET
def import_status(request, pk):
    job = _get_job_for_user(request.user, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_display": job.get_status_display(),
            "phase": job.phase,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.progress_percent,
            "finished": not job.is_working,
            "message": job.message,
            "counts": job.counts,
        }
    )


@role_required(Role.ARCHIVIST)
@require_POST
def import_confirm(request, pk):
    job = _get_job_for_user(request.user, pk, act=True)
    try:
        job = service.import_confirm(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("archives:import_detail", pk=job.pk)


@role_required(Role.ARCHIVIST)
@require_POST
def import_resubmit(request, pk):
    """Queue again an import the queue could not take (Redis was down). The job's page says
    how it went: processing, or the queue still down."""
    job = _get_job_for_user(request.user, pk, act=True)
    try:
        job = service.import_resubmit(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("archives:import_detail", pk=job.pk)


@role_required(Role.ARCHIVIST)
@require_POST
def import_cancel(request, pk):
    job = _get_job_for_user(request.user, pk, act=True)
    try:
        service.import_cancel(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.info(request, _("已取消，未导入任何数据"))
    return redirect("archives:import_detail", pk=job.pk)


@role_required(Role.ARCHIVIST)
@require_GET
def import_errors_file(request, pk):
    job = _get_job_for_user(request.user, pk)
    if not job.errors:
        raise Http404
    try:
        content = error_workbook(job.file.path, job.errors)
    except (WorkbookRefused, OSError):
        raise Http404 from None
    stem = job.file_name.rsplit(".", 1)[0]
    return _xlsx(content, f"{stem}_错误说明.xlsx")
