"""The upload form of the Excel import of households."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.services.imports import MAX_UPLOAD_BYTES, import_towns
from households.sheet_convert import SHEET_EXTENSIONS
from organisation.forms import StyledFormMixin
from organisation.models import Town


class ImportUploadForm(StyledFormMixin, forms.Form):
    town = forms.ModelChoiceField(queryset=Town.objects.none(), label=gettext_lazy("Town or street"))
    file = forms.FileField(
        label=gettext_lazy("Sheet (.xlsx, .xls or .ods)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SHEET_EXTENSIONS)}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = import_towns(user)
        self.fields["town"].queryset = towns
        if len(towns) == 1:
            self.fields["town"].initial = towns[0]
        self.fields["file"].help_text = _("One row per member, as in the template; at most %(size)d MB.") % {
            "size": MAX_UPLOAD_BYTES // (1024 * 1024)
        }
