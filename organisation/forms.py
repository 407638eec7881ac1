from django import forms
from django.core.exceptions import ValidationError

from organisation.models import Village


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "is_key_village"]


def service_errors_to_form(form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form: by field where the form has the field, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
