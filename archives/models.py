"""The archives domain: units, cadres and their current information, dossiers,
materials, résumés, and the registers an archive room keeps (DOMAIN.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import PartialDateField


class Rank(models.TextChoices):
    """职级, highest first."""

    ZHENG_CHU = "正处级", _("正处级")
    FU_CHU = "副处级", _("副处级")
    ZHENG_KE = "正科级", _("正科级")
    FU_KE = "副科级", _("副科级")
    KE_YUAN = "科员", _("科员")
    BAN_SHI_YUAN = "办事员", _("办事员")
    OTHER = "其他", _("其他")


class Education(models.TextChoices):
    """学历, lowest to highest (DETECTION_RULES.md)."""

    PRIMARY = "小学", _("小学")
    JUNIOR = "初中", _("初中")
    SENIOR = "高中", _("高中")
    SECONDARY_VOCATIONAL = "中专", _("中专")
    JUNIOR_COLLEGE = "大学专科", _("大学专科")
    BACHELOR = "大学本科", _("大学本科")
    POSTGRADUATE = "研究生", _("研究生")

    @classmethod
    def level(cls, value: str) -> int | None:
        """Rank of an education level, aliases included; None when unknown."""
        normalised = EDUCATION_ALIASES.get((value or "").strip(), (value or "").strip())
        try:
            return list(cls.values).index(normalised)
        except ValueError:
            return None

    @classmethod
    def normalise(cls, value: str) -> str | None:
        normalised = EDUCATION_ALIASES.get((value or "").strip(), (value or "").strip())
        return normalised if normalised in cls.values else None


EDUCATION_ALIASES = {
    "中技": "中专",
    "职高": "中专",
    "技校": "中专",
    "大专": "大学专科",
    "专科": "大学专科",
    "本科": "大学本科",
    "大学": "大学本科",
    "硕士研究生": "研究生",
    "博士研究生": "研究生",
}


class Degree(models.TextChoices):
    DOCTOR = "博士", _("博士")
    MASTER = "硕士", _("硕士")
    BACHELOR = "学士", _("学士")


class StudyMode(models.TextChoices):
    FULL_TIME = "全日制", _("全日制")
    IN_SERVICE = "在职", _("在职")


class Gender(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class Unit(models.Model):
    """单位: a node of the tree of organizations cadres belong to."""

    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级单位"))
    full_name = models.CharField(_("全称"), max_length=500, editable=False, db_index=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_per_parent"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(parent=None), name="unit_unique_root_name"),
        ]

    def __str__(self):
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        # full_name is derived data kept for search and display, not a business rule.
        self.full_name = self.compute_full_name()
        super().save(*args, **kwargs)

    def compute_full_name(self) -> str:
        return f"{self.parent.compute_full_name()}/{self.name}" if self.parent_id else self.name

    def descendant_ids(self) -> list[int]:
        ids = [self.pk]
        ids += list(Unit.objects.filter(full_name__startswith=self.full_name + "/").values_list("pk", flat=True))
        return ids


class Cadre(models.Model):
    """干部 with the current information (现有信息) the cadre information system holds."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("单位"))
    position = models.CharField(_("职务"), max_length=100, blank=True)
    rank = models.CharField(_("职级"), max_length=10, choices=Rank.choices, db_index=True)
    birth_date = PartialDateField(_("出生日期"))
    work_start_date = PartialDateField(_("参加工作时间"))
    party_join_date = PartialDateField(_("入党时间"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, blank=True)
    degree = models.CharField(_("学位"), max_length=10, choices=Degree.choices, blank=True)
    school = models.CharField(_("毕业院校"), max_length=100, blank=True)
    major = models.CharField(_("专业"), max_length=100, blank=True)
    study_mode = models.CharField(_("教育类别"), max_length=10, choices=StudyMode.choices, blank=True)
    verification_number = models.CharField(_("学历认证报告编号"), max_length=100, blank=True)
    full_time_graduation_date = PartialDateField(
        _("全日制毕业时间"), null=True, blank=True, help_text=_("最后一次全日制学习毕业（离校）的时间；用于比对参加工作时间")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_cadre",
        verbose_name=_("本人账号"),
        help_text=_("关联后，该账号不能查阅或审核本人档案"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Fields that make up the current information; changes to them are kept in CadreInfoChange.
    IDENTITY_FIELDS = ("name", "id_number", "gender", "ethnicity", "unit", "position", "rank")
    # The current information the five discrepancy categories are about (and rectification corrects).
    AUDITED_FIELDS = (
        "birth_date",
        "work_start_date",
        "full_time_graduation_date",
        "party_join_date",
        "education",
        "degree",
        "school",
        "major",
        "study_mode",
        "verification_number",
    )
    TRACKED_FIELDS = IDENTITY_FIELDS + AUDITED_FIELDS

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["unit__full_name", "name"]

    def __str__(self):
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.party_join_date is not None

    @property
    def masked_id_number(self) -> str:
        return f"{self.id_number[:6]}********{self.id_number[-4:]}"


class CadreInfoChange(models.Model):
    """One changed value of a cadre's current information (history; append-only)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("手工修改")
        IMPORT = "import", _("Excel导入")
        RECTIFICATION = "rectification", _("审核纠正")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="changes", verbose_name=_("干部"))
    field = models.CharField(_("字段"), max_length=50)
    old_value = models.CharField(_("原值"), max_length=500, blank=True)
    new_value = models.CharField(_("新值"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True, help_text=_("导入批次或问题编号"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人"))
    changed_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("现有信息变更记录")
        verbose_name_plural = _("现有信息变更记录")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.cadre} {self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        try:
            return str(Cadre._meta.get_field(self.field).verbose_name)
        except Exception:  # a field since removed keeps its raw name
            return self.field


class Recusal(models.Model):
    """回避: a user declared related to a cadre may not read or audit that cadre's dossier."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("账号"))
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("干部"))
    relation = models.CharField(_("关系"), max_length=50)
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [models.UniqueConstraint(fields=["user", "cadre"], name="recusal_unique")]

    def __str__(self):
        return f"{self.user} 回避 {self.cadre}（{self.relation}）"


class PeriodKind(models.TextChoices):
    """经历类型: the main line of posts (任职), or a period nested in it (DETECTION_RULES.md)."""

    POST = "任职", _("任职")
    STUDY = "在职学习", _("在职学习")
    CONCURRENT = "兼职", _("兼职")
    SECONDMENT = "挂职", _("挂职")

    @classmethod
    def nested(cls) -> tuple[str, ...]:
        return (cls.STUDY, cls.CONCURRENT, cls.SECONDMENT)


class ResumePeriod(models.Model):
    """One dated period of a cadre's résumé (经历): on the main line (任职) or nested in it."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="resume_periods", verbose_name=_("干部"))
    start = PartialDateField(_("起始时间"))
    end = PartialDateField(_("终止时间"), null=True, blank=True, help_text=_("空表示至今"))
    unit_and_post = models.CharField(_("单位及职务"), max_length=200)
    proof_material = models.CharField(_("证明材料"), max_length=200, blank=True, help_text=_("空表示档案中无证明材料"))
    kind = models.CharField(_("经历类型"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.POST)

    class Meta:
        verbose_name = _("经历")
        verbose_name_plural = _("经历")
        ordering = ["cadre", "start"]
        constraints = [models.UniqueConstraint(fields=["cadre", "start", "kind"], name="resume_unique_start_kind")]

    def __str__(self):
        return f"{self.start}—{self.end or '至今'} {self.unit_and_post}"

    @property
    def nested(self) -> bool:
        return self.kind != PeriodKind.POST


class Dossier(models.Model):
    """档案: the one personnel dossier of a cadre."""

    class Custody(models.TextChoices):
        IN_STORE = "in_store", _("在库")
        LENT = "lent", _("借出")
        TRANSFERRED = "transferred", _("已转出")

    cadre = models.OneToOneField(Cadre, on_delete=models.PROTECT, related_name="dossier", verbose_name=_("干部"))
    volumes = models.PositiveSmallIntegerField(_("卷数"), default=1)
    location = models.CharField(_("存放位置"), max_length=100, blank=True)
    custody = models.CharField(_("保管状态"), max_length=20, choices=Custody.choices, default=Custody.IN_STORE)

    class Meta:
        verbose_name = _("档案")
        verbose_name_plural = _("档案")

    def __str__(self):
        return f"{self.cadre.name}的档案"


class MaterialCategory(models.Model):
    """档案材料类别: the 2018 条例's ten categories and the 1991 sub-classes, kept as data."""

    code = models.CharField(_("类号"), max_length=10, unique=True)
    name = models.CharField(_("类名"), max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级类别"))
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("材料类别")
        verbose_name_plural = _("材料类别")
        ordering = ["order"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def main_number(self) -> int:
        return int(self.code.split("-")[0])


class Material(models.Model):
    """档案材料: one document in a dossier, with the values it records."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="materials", verbose_name=_("档案"))
    category = models.ForeignKey(MaterialCategory, on_delete=models.PROTECT, related_name="materials", verbose_name=_("类别"))
    title = models.CharField(_("材料名称"), max_length=200)
    formed_date = PartialDateField(_("形成日期"))
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    recorded_birth_date = PartialDateField(_("记载出生日期"), null=True, blank=True)
    recorded_work_start_date = PartialDateField(_("记载参加工作时间"), null=True, blank=True)
    recorded_party_date = PartialDateField(_("记载入党时间"), null=True, blank=True)
    recorded_education = models.CharField(_("记载学历"), max_length=20, blank=True)
    recorded_study_mode = models.CharField(_("记载教育类别"), max_length=10, choices=StudyMode.choices, blank=True)
    altered = models.BooleanField(_("是否涂改"), default=False)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    scan = models.FileField(_("扫描件"), upload_to="scans/%Y/", blank=True)
    weeded_at = models.DateTimeField(_("剔除时间"), null=True, blank=True, editable=False, help_text=_("已剔除的材料不再参与比对"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("档案材料")
        verbose_name_plural = _("档案材料")
        ordering = ["category__order", "formed_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "category", "title", "formed_date"], name="material_unique_key"),
        ]

    def __str__(self):
        return f"{self.title}（{self.category.code}，{self.formed_date}）"

    def citation(self) -> str:
        """How findings cite a material: name, category, date formed."""
        return f"《{self.title}》（第{self.category.code}类，{self.formed_date}形成）"


# --- registers (登记簿): append-only and serial-numbered ---------------------------


class RegisterCounter(models.Model):
    """Last serial number issued per register; locked while a number is taken."""

    register = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("登记簿流水号")
        verbose_name_plural = _("登记簿流水号")

    def __str__(self):
        return f"{self.register}: {self.value}"


class RegisterEntry(models.Model):
    serial = models.PositiveBigIntegerField(_("流水号"), unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+", verbose_name=_("档案"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("更正的条目"))

    class Meta:
        abstract = True
        ordering = ["-serial"]

    def __str__(self):
        return f"{self._meta.verbose_name} 第{self.serial}号"


class MaterialReceipt(RegisterEntry):
    """干部档案材料接收登记表: a material received into a dossier."""

    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("材料"))
    material_title = models.CharField(_("材料名称"), max_length=200)
    received_on = models.DateField(_("接收日期"))
    sender = models.CharField(_("送交单位或个人"), max_length=200)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    received_by = models.CharField(_("接收人"), max_length=50)

    class Meta(RegisterEntry.Meta):
        verbose_name = _("干部档案材料接收登记")
        verbose_name_plural = _("干部档案材料接收登记表")


class MaterialSendOut(RegisterEntry):
    """转出档案材料登记簿: a material sent out of a dossier."""

    material_title = models.CharField(_("材料名称"), max_length=200)
    sent_on = models.DateField(_("转出日期"))
    recipient = models.CharField(_("接收单位"), max_length=200)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    reason = models.CharField(_("转出原因"), max_length=500, blank=True)
    handled_by = models.CharField(_("经办人"), max_length=50)

    class Meta(RegisterEntry.Meta):
        verbose_name = _("转出档案材料登记")
        verbose_name_plural = _("转出档案材料登记簿")


class DossierUse(RegisterEntry):
    """利用干部档案登记簿: one use of a dossier (opening it in the product writes one)."""

    class Kind(models.TextChoices):
        VIEW = "view", _("系统查阅")
        READ = "read", _("查阅")
        BORROW = "borrow", _("借阅")
        COPY = "copy", _("摘抄复制")

    kind = models.CharField(_("利用方式"), max_length=10, choices=Kind.choices, default=Kind.VIEW)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("利用人"))
    user_name = models.CharField(_("利用人姓名"), max_length=100)
    purpose = models.CharField(_("利用目的"), max_length=200)
    approval = models.CharField(_("批准人/依据"), max_length=200, blank=True)
    path = models.CharField(_("访问页面"), max_length=300, blank=True)
    returned_on = models.DateField(_("归还日期"), null=True, blank=True)

    class Meta(RegisterEntry.Meta):
        verbose_name = _("利用干部档案登记")
        verbose_name_plural = _("利用干部档案登记簿")


class DossierTransfer(RegisterEntry):
    """档案传递登记簿: a dossier sent between units, by 机要 or a person sent, never by post."""

    class Method(models.TextChoices):
        CONFIDENTIAL = "confidential", _("机要交通")
        COURIER = "courier", _("专人送取")

    from_unit = models.CharField(_("转出单位"), max_length=200)
    to_unit = models.CharField(_("接收单位"), max_length=200)
    sent_on = models.DateField(_("转递日期"))
    method = models.CharField(_("转递方式"), max_length=20, choices=Method.choices)
    reason = models.CharField(_("转递原因"), max_length=500, blank=True)
    receipt_returned_on = models.DateField(_("回执退回日期"), null=True, blank=True)

    RECEIPT_DUE_DAYS = 30

    class Meta(RegisterEntry.Meta):
        verbose_name = _("档案传递登记")
        verbose_name_plural = _("档案传递登记簿")

    @property
    def receipt_overdue(self) -> bool:
        if self.receipt_returned_on:
            return False
        return (timezone.localdate() - self.sent_on).days > self.RECEIPT_DUE_DAYS


class MaterialWeeding(RegisterEntry):
    """剔除材料登记: a material removed from a dossier, with reason and approval."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="weedings", verbose_name=_("材料"))
    material_title = models.CharField(_("材料名称"), max_length=200)
    reason = models.CharField(_("剔除原因"), max_length=500)
    approved_by = models.CharField(_("批准人"), max_length=50)
    weeded_on = models.DateField(_("剔除日期"))

    class Meta(RegisterEntry.Meta):
        verbose_name = _("剔除材料登记")
        verbose_name_plural = _("剔除材料登记簿")


class ImportJob(models.Model):
    """One Excel import (roster, materials or résumé): its file, outcome and progress."""

    class Kind(models.TextChoices):
        ROSTER = "roster", _("干部名册")
        MATERIALS = "materials", _("档案材料目录")
        RESUME = "resume", _("干部经历")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        PREVIEWED = "previewed", _("待确认")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        SUCCEEDED = "succeeded", _("已完成")
        INVALID = "invalid", _("数据有误")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人"))
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    task_id = models.CharField(max_length=100, blank=True)
    phase = models.CharField(_("当前步骤"), max_length=50, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0, help_text=_("全部错误的数目；errors 只保存前一万条"))
    warnings = models.JSONField(_("提示"), default=list, blank=True, help_text=_("例如被忽略的列"))
    preview = models.JSONField(_("预览"), default=dict, blank=True, help_text=_("将新增、更新、不变的前几行"))

    FINISHED = (Status.SUCCEEDED, Status.INVALID, Status.FAILED, Status.CANCELLED)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.QUEUED, self.Status.RUNNING)

    @property
    def awaits_queue(self) -> bool:
        """Waiting for a task that was never queued (the queue was down): to be resubmitted."""
        return self.status in (self.Status.VALIDATING, self.Status.QUEUED) and not self.task_id


class AuditLogEntry(models.Model):
    """审计日志: one security-relevant event (login, dossier opened, case moved, information
    changed, report downloaded). Each entry carries an HMAC-SHA256 of its content and of the
    previous entry's hash, keyed with AUDIT_LOG_KEY (never stored here), so altering or deleting
    any entry breaks the chain (verify_audit_log, which also checks signed checkpoints)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        DOSSIER_OPEN = "dossier_open", _("查阅档案")
        INFO_CHANGE = "info_change", _("修改现有信息")
        CASE_TRANSITION = "case_transition", _("案卷流转")
        REPORT_DOWNLOAD = "report_download", _("下载报告")
        IMPORT = "import", _("导入数据")
        ACCOUNT = "account", _("账号变更")
        SYSTEM = "system", _("系统维护")  # the log's own maintenance (migration 0008 re-signing it)

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    at = models.DateTimeField(_("时间"), editable=False)
    # Plain values, not foreign keys: deleting a user must not rewrite the entries that name them.
    actor_id_value = models.PositiveBigIntegerField(_("操作人编号"), null=True, editable=False)
    actor_name = models.CharField(_("操作人"), max_length=150, editable=False)
    action = models.CharField(_("事件"), max_length=30, choices=Action.choices, editable=False)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True, editable=False)
    object_id = models.CharField(_("对象编号"), max_length=50, blank=True, editable=False)
    summary = models.CharField(_("摘要"), max_length=500, editable=False)
    data = models.JSONField(_("详情"), default=dict, editable=False)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    entry_hash = models.CharField(_("本条哈希"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]

    def __str__(self):
        return f"#{self.seq} {self.actor_name} {self.get_action_display()}"
