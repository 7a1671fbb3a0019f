"""Model field storing a PartialDate as ``YYYY-MM`` or ``YYYY-MM-DD`` text."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from .dates import DateParseError, PartialDate


class PartialDateField(models.CharField):
    description = "日期（精确到月或日）"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)
        # The value is a PartialDate, not text: its length is checked by to_storage's format.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 10:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        return PartialDate.from_storage(value)

    def to_python(self, value):
        if value in (None, "") or isinstance(value, PartialDate):
            return value or None
        try:
            if isinstance(value, str) and value[:4].isdigit() and value.count("-") in (1, 2) and len(value) in (7, 10):
                return PartialDate.from_storage(value)
            return PartialDate.parse(value, allow_future=True)
        except (DateParseError, ValueError) as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def get_prep_value(self, value):
        if value in (None, ""):
            return None if self.null else ""
        if not isinstance(value, PartialDate):
            value = self.to_python(value)
        return value.to_storage()

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.to_storage() if value else ""

    def formfield(self, **kwargs):
        from .forms_fields import PartialDateFormField

        defaults = {"form_class": PartialDateFormField}
        defaults.update(kwargs)
        # CharField.formfield would pass max_length to our form field; keep it simple.
        return models.Field.formfield(self, **defaults)
