"""Form field accepting every written date form of IMPORT_FORMATS.md."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .dates import DateParseError, PartialDate


class PartialDateFormField(forms.CharField):
    def __init__(self, *args, allow_future=False, **kwargs):
        self.allow_future = allow_future
        kwargs.pop("max_length", None)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", _("如 1975.03 或 1975.03.12"))

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return str(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return PartialDate.parse(value, allow_future=self.allow_future)
        except DateParseError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
