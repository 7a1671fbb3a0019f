from django import forms

from .models import ReportSettings


class ReportSettingsForm(forms.ModelForm):
    """The parts of the summary report the section chief writes; blank means the default.

    A category's resolution paragraph left blank is built from the data when the report is
    generated (reports.narrative.category_resolution): the form shows today's wording as the
    placeholder and never saves it, so the figures in it cannot go stale.
    """

    class Meta:
        model = ReportSettings
        fields = [
            "title",
            "doc_number",
            "signer",
            "addressee",
            "issuing_unit",
            "report_date",
            "opening",
            *ReportSettings.RESOLUTION_FIELDS.values(),
            "practices",
            "problems",
        ]
        widgets = {
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "opening": forms.Textarea(attrs={"rows": 3}),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in ReportSettings.RESOLUTION_FIELDS.values()},
            "practices": forms.Textarea(attrs={"rows": 14}),
            "problems": forms.Textarea(attrs={"rows": 10}),
        }

    def show_resolution_defaults(self, defaults: dict[str, str]) -> None:
        """Show each category's data-built paragraph (category code -> text) as its placeholder."""
        for code, name in ReportSettings.RESOLUTION_FIELDS.items():
            if defaults.get(code.value):
                self.fields[name].widget.attrs["placeholder"] = defaults[code.value]
