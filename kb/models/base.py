"""What every kb record shares: timestamps and validation of its partial dates."""

from django.core.exceptions import ValidationError
from django.db import models

from kb.dates import validate_partial_date


class KbModel(models.Model):
    """An editable record. Subclasses list their partial dates in ``partial_dates``."""

    partial_dates: tuple[str, ...] = ()

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        for name in self.partial_dates:
            errors.update(validate_partial_date(self, name))
        errors.update(self.clean_fields_together())
        if errors:
            raise ValidationError(errors)

    def clean_fields_together(self) -> dict[str, list[str]]:
        """Rules that involve several fields; errors by field name."""
        return {}
