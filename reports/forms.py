from django import forms

from .models import ReportSettings


class ReportSettingsForm(forms.ModelForm):
    """The parts of the summary report the section chief writes; blank means the default."""

    class Meta:
        model = ReportSettings
        fields = ["title", "addressee", "issuing_unit", "report_date", "opening", "practices", "problems"]
        widgets = {
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "opening": forms.Textarea(attrs={"rows": 3}),
            "practices": forms.Textarea(attrs={"rows": 14}),
            "problems": forms.Textarea(attrs={"rows": 10}),
        }
