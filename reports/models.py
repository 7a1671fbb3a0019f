"""Reports: per-campaign report settings, generated-report jobs and the download log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import AuditCase, Campaign, Category


class DocumentKind(models.TextChoices):
    """The documents the reports app produces."""

    SUMMARY = "summary", _("工作总结报告")
    SHEETS = "sheets", _("专项审核认定表（批量）")
    SHEET = "sheet", _("专项审核认定表")
    WORKBOOK = "workbook", _("统计工作簿")


class ReportSettings(models.Model):
    """What the section chief writes into a campaign's summary report (a 公文): title, 文号,
    签发人, addressee, issuing unit, date, how each category's problems were resolved, and
    the narrative sections (主要做法, 存在问题和今后打算). Blank fields fall back to the
    product's default wording (reports.narrative), built from the data where it has figures."""

    RESOLUTION_HELP = _("接在该方面的人数和占比之后。留空则按生成报告时的数据自动填写，框内灰色文字即按当前数据生成的内容。")
    # The paragraph of each category in 一、专项审核情况 (Category code -> field).
    RESOLUTION_FIELDS = {
        Category.AGE: "resolution_age",
        Category.WORK: "resolution_work",
        Category.PARTY: "resolution_party",
        Category.EDUCATION: "resolution_education",
        Category.EXPERIENCE: "resolution_experience",
    }

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="report_settings", verbose_name=_("批次"))
    title = models.CharField(_("标题"), max_length=200, blank=True, help_text=_("标题较长需要回行时，在回行处输入一个空格"))
    doc_number = models.CharField(_("发文字号"), max_length=50, blank=True, help_text=_("如：某组字〔2026〕12号；空则不印"))
    signer = models.CharField(_("签发人"), max_length=50, blank=True, help_text=_("上报时填写签发人姓名；空则不印"))
    addressee = models.CharField(_("主送机关"), max_length=200, blank=True, help_text=_("如：市委组织部"))
    issuing_unit = models.CharField(_("落款单位"), max_length=200, blank=True, help_text=_("如：某县委组织部"))
    report_date = models.DateField(_("成文日期"), null=True, blank=True, help_text=_("空表示生成报告的当天"))
    opening = models.TextField(_("开头语"), blank=True)
    resolution_age = models.TextField(_("（一）年龄方面：整改情况"), blank=True, help_text=RESOLUTION_HELP)
    resolution_work = models.TextField(_("（二）工龄方面：整改情况"), blank=True, help_text=RESOLUTION_HELP)
    resolution_party = models.TextField(_("（三）党龄方面：整改情况"), blank=True, help_text=RESOLUTION_HELP)
    resolution_education = models.TextField(_("（四）学历学位方面：整改情况"), blank=True, help_text=RESOLUTION_HELP)
    resolution_experience = models.TextField(_("（五）经历方面：整改情况"), blank=True, help_text=RESOLUTION_HELP)
    practices = models.TextField(_("二、主要做法"), blank=True, help_text=_("每段一行；空行分段"))
    problems = models.TextField(_("三、存在问题和今后打算"), blank=True, help_text=_("每段一行；空行分段"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("报告设置")
        verbose_name_plural = _("报告设置")

    def __str__(self):
        return f"{self.campaign} 报告设置"


class ReportJob(models.Model):
    """One background generation of a large campaign's report, with progress and the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="report_jobs", verbose_name=_("批次"))
    kind = models.CharField(_("文件类型"), max_length=20, choices=DocumentKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    stage = models.CharField(_("进度说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="reports/%Y/%m/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    message = models.TextField(_("说明"), blank=True)
    task_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报告生成任务")
        verbose_name_plural = _("报告生成任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.campaign} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ReportDownload(models.Model):
    """Download log: who took which report of which campaign, and when (append-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("下载人"))
    kind = models.CharField(_("文件类型"), max_length=20, choices=DocumentKind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("批次"))
    case = models.ForeignKey(AuditCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("案卷"))
    job = models.ForeignKey(ReportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads", verbose_name=_("生成任务"))
    file_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("字节数"), default=0)
    at = models.DateTimeField(_("下载时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报告下载记录")
        verbose_name_plural = _("报告下载记录")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
