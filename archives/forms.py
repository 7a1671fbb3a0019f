from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dates import PartialDate
from .forms_fields import PartialDateFormField
from .idnumber import IDNumberError, parse_id_number
from .models import Cadre, Dossier, DossierTransfer, Education, Material, Rank, ResumePeriod, Unit


class ISODateInput(forms.DateInput):
    """A browser date picker: it takes and gives ISO dates whatever the language's format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def today_field(label, **kwargs) -> forms.DateField:
    """A date of the day the archivist records something: today unless they change it."""
    return forms.DateField(label=label, initial=timezone.localdate, widget=ISODateInput, **kwargs)


class RegisterFilterForm(forms.Form):
    """Search of a register: the cadre's name or ID number, and a range of the register's date."""

    q = forms.CharField(label=_("姓名或身份证号"), required=False, max_length=50)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=ISODateInput)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=ISODateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期早于起始日期"))
        return data

    def filters(self) -> dict:
        """What the list, the printable view and the export filter by: the valid fields only
        (a wrong date is shown as an error and filters nothing)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data.get(key) for key in ("q", "date_from", "date_to") if data.get(key)}


class CadreSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号、单位或职务")}))
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.all(), required=False, empty_label=_("全部单位"))
    rank = forms.ChoiceField(label=_("职级"), choices=[("", _("全部职级")), *Rank.choices], required=False)


class CadreForm(forms.ModelForm):
    birth_date = PartialDateFormField(label=_("出生日期"))
    work_start_date = PartialDateFormField(label=_("参加工作时间"))
    party_join_date = PartialDateFormField(label=_("入党时间"), required=False, help_text=_("非党员留空"))
    full_time_graduation_date = PartialDateFormField(
        label=_("全日制毕业时间"), required=False, help_text=_("最后一次全日制学习毕业（离校）的时间，用于比对参加工作时间；没有全日制学历留空")
    )

    class Meta:
        model = Cadre
        fields = list(Cadre.TRACKED_FIELDS)
        error_messages = {"id_number": {"unique": _("该身份证号已存在")}}

    def clean_id_number(self):
        try:
            return parse_id_number(self.cleaned_data["id_number"]).number
        except IDNumberError as exc:
            raise ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        number = data.get("id_number")
        if number:
            id_number = parse_id_number(number)
            if data.get("gender") and data["gender"] != id_number.sex:
                self.add_error("gender", _("性别与身份证号不符（身份证号显示为%(sex)s）") % {"sex": id_number.sex})
        birth: PartialDate | None = data.get("birth_date")
        work: PartialDate | None = data.get("work_start_date")
        if birth and work and work.is_before(birth):
            self.add_error("work_start_date", _("参加工作时间早于出生日期"))
        graduation: PartialDate | None = data.get("full_time_graduation_date")
        if birth and graduation and graduation.is_before(birth):
            self.add_error("full_time_graduation_date", _("全日制毕业时间早于出生日期"))
        if data.get("education") and Education.level(data["education"]) is None:
            self.add_error("education", _("学历不在规定的列表中"))
        return data


class DossierForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["volumes", "location"]


class TransferForm(forms.Form):
    to_unit = forms.CharField(label=_("接收单位"), max_length=200)
    sent_on = today_field(_("转递日期"))
    method = forms.ChoiceField(label=_("转递方式"), choices=DossierTransfer.Method.choices, help_text=_("严禁通过邮寄转递档案"))
    reason = forms.CharField(label=_("转递原因"), max_length=500, required=False)


class MaterialForm(forms.ModelForm):
    """A material filed into a dossier, registered as received."""

    formed_date = PartialDateFormField(label=_("形成日期"))
    recorded_birth_date = PartialDateFormField(label=_("记载出生日期"), required=False)
    recorded_work_start_date = PartialDateFormField(label=_("记载参加工作时间"), required=False)
    recorded_party_date = PartialDateFormField(label=_("记载入党时间"), required=False, help_text=_("入党志愿书填支部大会通过时间"))
    sender = forms.CharField(label=_("送交单位或个人"), max_length=200)
    received_on = today_field(_("接收日期"))

    class Meta:
        model = Material
        fields = [
            "category",
            "title",
            "formed_date",
            "pages",
            "recorded_birth_date",
            "recorded_work_start_date",
            "recorded_party_date",
            "recorded_education",
            "recorded_study_mode",
            "altered",
            "note",
        ]
        help_texts = {"recorded_study_mode": _("该材料所写的教育类别（全日制或在职）；材料未记载的留空")}


class ResumePeriodForm(forms.ModelForm):
    """One period of a résumé: on the main line (任职) or nested in it (在职学习, 兼职, 挂职)."""

    start = PartialDateFormField(label=_("起始时间"))
    end = PartialDateFormField(label=_("终止时间"), required=False, help_text=_("空表示至今"))

    class Meta:
        model = ResumePeriod
        fields = ["kind", "start", "end", "unit_and_post", "proof_material"]
        help_texts = {
            "kind": _("任职为主线经历；在职学习、兼职、挂职为“其间”经历，列在所在任职经历之下，不计入空档和重叠"),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end.is_before(start):
            self.add_error("end", _("终止时间早于起始时间"))
        return data


class SendOutForm(forms.Form):
    material_title = forms.CharField(label=_("材料名称"), max_length=200)
    sent_on = today_field(_("转出日期"))
    recipient = forms.CharField(label=_("接收单位"), max_length=200)
    pages = forms.IntegerField(label=_("页数"), min_value=1, required=False)
    reason = forms.CharField(label=_("转出原因"), max_length=500, required=False)


class LendForm(forms.Form):
    borrower = forms.CharField(label=_("借阅人（单位、姓名）"), max_length=100)
    purpose = forms.CharField(label=_("借阅目的"), max_length=200)
    approval = forms.CharField(label=_("批准人"), max_length=200)


class ReceiptReturnedForm(forms.Form):
    returned_on = today_field(_("回执退回日期"))
