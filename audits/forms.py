"""Forms check shape only; the rules live in services.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from archives.forms_fields import PartialDateFormField
from archives.models import Material, MaterialCategory, Unit

from . import services
from .models import Category, Discrepancy, Feedback, MaterialAuthentication, MaterialRequest


class DateInput(forms.DateInput):
    input_type = "date"


class VersionField(forms.IntegerField):
    """The version the person saw; services refuse when it moved on meanwhile."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=200)
    units = forms.ModelMultipleChoiceField(
        label=_("审核范围（单位）"), queryset=Unit.objects.order_by("full_name"), required=False, help_text=_("不选表示全部单位；含下级单位")
    )
    deadline = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)
    auditors = forms.ModelMultipleChoiceField(
        label=_("审核人员"), queryset=services.auditor_users(), required=False, help_text=_("不选表示全部审核人员；初审、复审自动交叉分配")
    )
    sample_rate = forms.DecimalField(
        label=_("领导抽查比例（%）"), min_value=0, max_value=100, decimal_places=1, initial=Decimal("10"), help_text=_("0 到 100，如 10 表示抽查 10% 的案卷")
    )
    force_sample_with_discrepancies = forms.BooleanField(label=_("有问题的案卷全部纳入领导抽查"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditors"].queryset = services.auditor_users()
        self.fields["units"].widget.attrs["size"] = 8

    def clean_sample_rate(self):
        # Typed as a percentage; the campaign keeps the fraction (0.1 for 10%).
        return self.cleaned_data["sample_rate"] / 100
        self.fields["auditors"].widget.attrs["size"] = 6


class TransitionForm(forms.Form):
    version = VersionField()
    comment = forms.CharField(label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    version = VersionField()
    initial_reviewer = forms.ModelChoiceField(label=_("初审人"), queryset=services.auditor_users(), required=False)
    re_reviewer = forms.ModelChoiceField(label=_("复审人"), queryset=services.auditor_users(), required=False)
    comment = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initial_reviewer"].queryset = services.auditor_users()
        self.fields["re_reviewer"].queryset = services.auditor_users()


class DiscrepancyForm(forms.Form):
    """One discrepancy; a checkbox and a recorded value per material of the dossier."""

    version = VersionField()
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    current_value = forms.CharField(label=_("现有信息"), max_length=200, required=False)
    proposed_value = forms.CharField(label=_("拟认定值"), max_length=200, required=False)
    cause = forms.ChoiceField(label=_("原因"), choices=[("", "—"), *Discrepancy.Cause.choices], required=False)
    cause_detail = forms.CharField(label=_("原因说明"), max_length=500, required=False)
    correction_measure = forms.CharField(label=_("纠正措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("严重程度"), choices=Discrepancy.Severity.choices, initial=Discrepancy.Severity.NORMAL)

    def __init__(self, *args, materials=(), cited=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        cited = cited or {}
        for material in self.materials:
            self.fields[f"cite_{material.pk}"] = forms.BooleanField(required=False, initial=material.pk in cited, label=material.title)
            self.fields[f"value_{material.pk}"] = forms.CharField(required=False, max_length=200, initial=cited.get(material.pk, ""), label=_("记载值"))

    def material_rows(self):
        return [(m, self[f"cite_{m.pk}"], self[f"value_{m.pk}"]) for m in self.materials]

    def citations(self) -> list[tuple[Material, str]]:
        return [(m, self.cleaned_data.get(f"value_{m.pk}", "")) for m in self.materials if self.cleaned_data.get(f"cite_{m.pk}")]

    def finding_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("category", "description", "current_value", "proposed_value", "cause", "cause_detail", "correction_measure", "severity")
        }


class RetractForm(forms.Form):
    version = VersionField()
    reason = forms.CharField(label=_("撤回理由"), max_length=2000)


class _OnePageForm(forms.Form):
    """Several of these forms share the discrepancy page: element ids carry the form's name so
    that no two labels point at the same id (field names, and so the POST data, are unchanged)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class FeedbackForm(_OnePageForm):
    sent_on = forms.DateField(label=_("反馈日期"), widget=DateInput)
    content = forms.CharField(label=_("反馈内容"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(_OnePageForm):
    reply = forms.ChoiceField(label=_("本人意见"), choices=[c for c in Feedback.Reply.choices if c[0]])
    reply_text = forms.CharField(label=_("答复内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    replied_on = forms.DateField(label=_("答复日期"), required=False, widget=DateInput)


class InterviewForm(_OnePageForm):
    held_on = forms.DateField(label=_("约谈日期"), widget=DateInput)
    participants = forms.CharField(label=_("参加人员"), max_length=300)
    minutes = forms.CharField(label=_("约谈记录"), widget=forms.Textarea(attrs={"rows": 3}))


class MaterialRequestForm(_OnePageForm):
    method = forms.ChoiceField(label=_("方式"), choices=MaterialRequest.Method.choices)
    requested_material = forms.CharField(label=_("所需材料"), max_length=200)
    requested_from = forms.CharField(label=_("向谁索取"), max_length=200, required=False)
    due_on = forms.DateField(label=_("限期"), widget=DateInput)


class ReceiveForm(_OnePageForm):
    category = forms.ModelChoiceField(label=_("材料类别"), queryset=MaterialCategory.objects.order_by("order"))
    title = forms.CharField(label=_("材料名称"), max_length=200)
    formed_date = PartialDateFormField(label=_("形成日期"))
    pages = forms.IntegerField(label=_("页数"), min_value=1, required=False)
    received_on = forms.DateField(label=_("收到日期"), widget=DateInput)
    sender = forms.CharField(label=_("送交单位或个人"), max_length=200)
    recorded_birth_date = PartialDateFormField(label=_("记载出生日期"), required=False)
    recorded_work_start_date = PartialDateFormField(label=_("记载参加工作时间"), required=False)
    recorded_party_date = PartialDateFormField(label=_("记载入党时间"), required=False)
    recorded_education = forms.CharField(label=_("记载学历"), max_length=20, required=False)


class _MaterialChoiceForm(_OnePageForm):
    material = forms.ModelChoiceField(label=_("材料"), queryset=Material.objects.none())

    def __init__(self, *args, materials=None, **kwargs):
        super().__init__(*args, **kwargs)
        if materials is not None:
            self.fields["material"].queryset = materials


class AuthenticateForm(_MaterialChoiceForm):
    result = forms.ChoiceField(label=_("鉴别结论"), choices=MaterialAuthentication.Result.choices)
    note = forms.CharField(label=_("鉴别意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WeedForm(_MaterialChoiceForm):
    reason = forms.CharField(label=_("剔除原因"), max_length=500)
    approved_by = forms.CharField(label=_("批准人"), max_length=50)


class MaterialChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.citation()


class ProposeDeterminationForm(_OnePageForm):
    """拟认定: the value, the materials it rests on and, where the rule asks for one, the 批复."""

    version = VersionField()
    value = forms.CharField(
        label=_("拟认定值"),
        widget=forms.Textarea(attrs={"rows": 1}),
        help_text=_("日期写作 1975.03 或 1975.03.12；学历写作 大学本科 等；经历每段一行，如 2007.05—2010.12 某县某局科员"),
    )
    basis = MaterialChoiceField(label=_("认定依据（档案材料）"), queryset=Material.objects.none(), widget=forms.CheckboxSelectMultiple)
    justification = forms.CharField(
        label=_("理由说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("认定值与规定的认定基础不一致时必填")
    )
    approval_number = forms.CharField(label=_("批复文号"), required=False, max_length=100)
    approval_issuer = forms.CharField(label=_("批复机关"), required=False, max_length=100)
    approval_date = forms.DateField(label=_("批复日期"), required=False, widget=DateInput)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, materials=None, **kwargs):
        super().__init__(*args, **kwargs)
        if materials is not None:
            self.fields["basis"].queryset = materials


class DeterminationDecisionForm(_OnePageForm):
    """科长审核 or 领导审批: agree with an opinion, or return with a reason."""

    opinion = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("同意时可不填（记为“同意”）；退回时必填理由")
    )
    decision = forms.ChoiceField(choices=(("agree", _("同意")), ("return", _("退回"))), widget=forms.HiddenInput, required=False)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或单位"), required=False)
    state = forms.ChoiceField(label=_("阶段"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        from .models import CaseState

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部阶段")), *CaseState.choices]
