"""Audit campaigns, audit cases with their review workflow, and discrepancies (DOMAIN.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.models import Dossier, Material, Unit


class CaseState(models.TextChoices):
    """Where an audit case stands in the review workflow."""

    INITIAL_REVIEW = "initial_review", _("初审")
    RE_REVIEW = "re_review", _("交叉复审")
    CHIEF_CHECK = "chief_check", _("科长把关")
    LEADER_CHECK = "leader_check", _("领导抽查")
    RECTIFICATION = "rectification", _("整改")
    CLOSED = "closed", _("已办结")


class Category(models.TextChoices):
    """The five discrepancy categories; values are the stable codes of INTERFACES.md."""

    AGE = "age", _("年龄")
    WORK = "work", _("工龄")
    PARTY = "party", _("党龄")
    EDUCATION = "education", _("学历学位")
    EXPERIENCE = "experience", _("经历")


class Campaign(models.Model):
    """专项审核批次: one audit exercise over a set of dossiers."""

    name = models.CharField(_("名称"), max_length=200)
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("审核范围（单位）"), help_text=_("不选表示全部单位"))
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="audit_campaigns", verbose_name=_("审核人员"))
    sample_rate = models.DecimalField(_("领导抽查比例"), max_digits=4, decimal_places=3, default=0.1, help_text=_("0 到 1 之间，如 0.1 表示 10%"))
    force_sample_with_discrepancies = models.BooleanField(_("有问题的案卷全部抽查"), default=False)
    sample_seed = models.BigIntegerField(_("抽样随机种子"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("专项审核批次")
        verbose_name_plural = _("专项审核批次")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class AuditCase(models.Model):
    """审核案卷: one dossier inside one campaign; it carries the workflow state."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cases", verbose_name=_("批次"))
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="audit_cases", verbose_name=_("档案"))
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.INITIAL_REVIEW, db_index=True)
    initial_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="initial_cases", verbose_name=_("初审人")
    )
    re_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="re_review_cases", verbose_name=_("复审人")
    )
    sampled = models.BooleanField(_("抽中领导抽查"), default=False)
    initial_reviewed_at = models.DateTimeField(_("初审完成时间"), null=True, blank=True)
    re_reviewed_at = models.DateTimeField(_("复审完成时间"), null=True, blank=True)
    chief_approved_at = models.DateTimeField(_("科长审核时间"), null=True, blank=True)
    leader_approved_at = models.DateTimeField(_("领导抽查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    findings_frozen = models.BooleanField(_("问题已冻结"), default=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("审核案卷")
        verbose_name_plural = _("审核案卷")
        ordering = ["campaign", "dossier__cadre__unit__full_name", "dossier__cadre__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "dossier"], name="case_unique_dossier_per_campaign")]

    def __str__(self):
        return f"{self.campaign} · {self.dossier.cadre.name}"


class CaseTransition(models.Model):
    """One step of a case through the workflow (history; append-only)."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("案卷"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    role = models.CharField(_("角色"), max_length=20)
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=CaseState.choices)
    comment = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case}: {self.from_state} → {self.to_state}"


class Discrepancy(models.Model):
    """问题: one finding in one of the five categories, and its rectification state."""

    class Source(models.TextChoices):
        SYSTEM = "system", _("系统比对")
        MANUAL = "manual", _("人工登记")

    class State(models.TextChoices):
        PENDING = "pending", _("待核实")  # a system finding awaiting an auditor
        REGISTERED = "registered", _("已登记")  # confirmed or registered by an auditor
        RECTIFYING = "rectifying", _("整改中")  # feedback, interview, material request or 拟认定 under way
        DISMISSED = "dismissed", _("已排除")
        WITHDRAWN = "withdrawn", _("已撤销")  # a pending system finding whose cause went away
        DETERMINED = "determined", _("已认定")
        CORRECTED = "corrected", _("已纠正")

    class Cause(models.TextChoices):
        LUNAR_CALENDAR = "lunar", _("阴阳历差异")
        NOMINAL_AGE = "nominal_age", _("虚实岁差异")
        CLERICAL = "clerical", _("填写笔误")
        FALSE_ENTRY = "false_entry", _("虚填")
        FORGERY = "forgery", _("涂改造假")
        OTHER = "other", _("其他")

    class Severity(models.TextChoices):
        NORMAL = "normal", _("一般")
        HIGH = "high", _("较高")

    case = models.ForeignKey(AuditCase, on_delete=models.PROTECT, related_name="discrepancies", verbose_name=_("案卷"))
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices, db_index=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    rule = models.CharField(_("比对规则"), max_length=40, blank=True, help_text=_("最先命中的规则"))
    rules = models.JSONField(_("命中的规则"), default=list, blank=True, help_text=_("同一比对对象上命中的全部规则"))
    subject = models.CharField(_("比对对象"), max_length=100, blank=True, help_text=_("同一类别下区分多条发现的键，如 出生日期、某段经历"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.REGISTERED, db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    description = models.TextField(_("问题描述"))
    current_value = models.CharField(_("现有信息"), max_length=200, blank=True)
    recorded_values = models.TextField(_("档案记载"), blank=True)
    materials = models.ManyToManyField(Material, through="DiscrepancyMaterial", blank=True, related_name="discrepancies", verbose_name=_("依据材料"))
    proposed_value = models.CharField(_("拟认定值"), max_length=200, blank=True)
    determined_value = models.CharField(_("认定值"), max_length=200, blank=True)
    cause = models.CharField(_("原因"), max_length=20, choices=Cause.choices, blank=True)
    cause_detail = models.CharField(_("原因说明"), max_length=500, blank=True)
    correction_measure = models.TextField(_("纠正措施"), blank=True)
    dismissed_reason = models.TextField(_("排除理由"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("认定人"))
    determined_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("纠正时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    # States that count in every figure (DOMAIN.md "What the figures count"): what an auditor
    # registered or confirmed and has not set aside. 待核实 system findings are reported apart.
    COUNTED_STATES = (State.REGISTERED, State.RECTIFYING, State.DETERMINED, State.CORRECTED)
    OPEN_STATES = (State.REGISTERED, State.RECTIFYING)
    RESOLVED_STATES = (State.DETERMINED, State.CORRECTED)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["case", "category", "pk"]
        constraints = [
            # One finding per problem (DETECTION_RULES.md): keyed by case, category and subject.
            models.UniqueConstraint(
                fields=["case", "category", "subject"],
                condition=models.Q(source="system"),
                name="discrepancy_unique_system_subject",
            ),
        ]

    def __str__(self):
        return f"[{self.get_category_display()}] {self.description[:40]}"


class DiscrepancyMaterial(models.Model):
    """A material cited as evidence for a discrepancy, with the value it records."""

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="citations")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    recorded_value = models.CharField(_("记载值"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("依据材料")
        verbose_name_plural = _("依据材料")
        constraints = [models.UniqueConstraint(fields=["discrepancy", "material"], name="citation_unique")]

    def __str__(self):
        return f"{self.material_id}: {self.recorded_value}"


class DiscrepancyEvent(models.Model):
    """History of a discrepancy: registered, edited, confirmed, dismissed, withdrawn,
    rectification steps, determined, corrected (append-only)."""

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="events", verbose_name=_("问题"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.discrepancy_id} {self.action}"


# --- rectification (整改): the steps taken on one discrepancy ---------------------------


class Feedback(models.Model):
    """信息反馈: one round of telling the cadre about a discrepancy, and the cadre's reply."""

    class Reply(models.TextChoices):
        NONE = "", _("尚未答复")
        AGREES = "agrees", _("无异议")
        DISPUTES = "disputes", _("有异议")

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="feedbacks", verbose_name=_("问题"))
    round = models.PositiveSmallIntegerField(_("轮次"))
    sent_on = models.DateField(_("反馈日期"))
    content = models.TextField(_("反馈内容"))
    reply = models.CharField(_("本人意见"), max_length=10, choices=Reply.choices, blank=True, default=Reply.NONE)
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信息反馈")
        verbose_name_plural = _("信息反馈")
        ordering = ["discrepancy", "round"]
        constraints = [models.UniqueConstraint(fields=["discrepancy", "round"], name="feedback_unique_round")]

    def __str__(self):
        return f"问题{self.discrepancy_id} 第{self.round}轮反馈"


class Interview(models.Model):
    """约谈: a talk with the cadre about a discrepancy, with its participants and minutes."""

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("问题"))
    held_on = models.DateField(_("约谈日期"))
    participants = models.CharField(_("参加人员"), max_length=300)
    minutes = models.TextField(_("约谈记录"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["discrepancy", "held_on", "pk"]

    def __str__(self):
        return f"问题{self.discrepancy_id} 约谈 {self.held_on}"


class MaterialRequest(models.Model):
    """补充材料: a material asked for by phone (电话催补) or by a person sent (专人查补)."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话催补")
        PERSON = "person", _("专人查补")

    class State(models.TextChoices):
        OPEN = "open", _("待补充")
        RECEIVED = "received", _("已收到")

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="material_requests", verbose_name=_("问题"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    requested_material = models.CharField(_("所需材料"), max_length=200)
    requested_from = models.CharField(_("向谁索取"), max_length=200, blank=True, help_text=_("干部本人或原单位等"))
    due_on = models.DateField(_("限期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("收到的材料"))
    received_on = models.DateField(_("收到日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("补充材料")
        verbose_name_plural = _("补充材料")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.get_method_display()}：{self.requested_material}"

    @property
    def overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_on < timezone.localdate()


class MaterialAuthentication(models.Model):
    """鉴别: the verdict on whether a material (usually one just received) is genuine."""

    class Result(models.TextChoices):
        AUTHENTIC = "authentic", _("真实有效")
        DOUBTFUL = "doubtful", _("存疑")
        FALSE = "false", _("虚假，不予认可")

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="authentications", verbose_name=_("问题"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("材料"))
    result = models.CharField(_("鉴别结论"), max_length=10, choices=Result.choices)
    note = models.TextField(_("鉴别意见"), blank=True)
    authenticated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("鉴别人"))
    authenticated_at = models.DateTimeField(_("鉴别时间"), default=timezone.now)

    class Meta:
        verbose_name = _("材料鉴别")
        verbose_name_plural = _("材料鉴别")
        ordering = ["discrepancy", "authenticated_at", "pk"]

    def __str__(self):
        return f"{self.material_id}: {self.get_result_display()}"


class Determination(models.Model):
    """认定: a determined value proposed by an auditor (拟认定) with its basis (认定依据: the
    materials it rests on and, where the rule asks for one, the approval document 批复),
    checked by the section chief and approved by the leader (分管领导审批认定). Only an approved
    determination settles the discrepancy and corrects current information. A return ends the
    proposal (kept as history); the auditor proposes again."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟认定，待科长审核")
        CHECKED = "checked", _("科长已审核，待领导审批")
        APPROVED = "approved", _("已审批")
        RETURNED = "returned", _("已退回")

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="determinations", verbose_name=_("问题"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    value = models.TextField(_("认定值"))
    field = models.CharField(_("对应现有信息"), max_length=30, blank=True, help_text=_("认定值不同于现有信息时，审批后据此纠正"))
    basis = models.ManyToManyField(Material, blank=True, related_name="+", verbose_name=_("认定依据材料"))
    rule_reference = models.CharField(_("认定规则依据"), max_length=300, blank=True, help_text=_("按规定应作为认定基础的记载，如最早记载"))
    departs_from_rule = models.BooleanField(_("与规定的认定基础不一致"), default=False)
    justification = models.TextField(_("理由说明"), blank=True)
    approval_number = models.CharField(_("批复文号"), max_length=100, blank=True)
    approval_issuer = models.CharField(_("批复机关"), max_length=100, blank=True)
    approval_date = models.DateField(_("批复日期"), null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("拟认定人"))
    proposed_at = models.DateTimeField(_("拟认定时间"), default=timezone.now)
    proposal_note = models.TextField(_("拟认定说明"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人"))
    checked_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    check_opinion = models.TextField(_("科长审核意见"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_opinion = models.TextField(_("领导审批意见"), blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("退回人"))
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    ACTIVE_STATUSES = (Status.PROPOSED, Status.CHECKED)

    class Meta:
        verbose_name = _("认定")
        verbose_name_plural = _("认定")
        ordering = ["discrepancy", "proposed_at", "pk"]
        constraints = [
            # At most one proposal under way per discrepancy.
            models.UniqueConstraint(fields=["discrepancy"], condition=models.Q(status__in=["proposed", "checked"]), name="determination_one_active"),
        ]

    def __str__(self):
        return f"问题{self.discrepancy_id} 认定：{self.value[:30]}（{self.get_status_display()}）"

    @property
    def approval_text(self) -> str:
        """The 批复 as it is cited: 文号（机关，日期）."""
        if not self.approval_number:
            return ""
        extra = "，".join(
            x for x in (self.approval_issuer, self.approval_date and f"{self.approval_date.year}年{self.approval_date.month}月{self.approval_date.day}日") if x
        )
        return f"{self.approval_number}（{extra}）" if extra else self.approval_number
