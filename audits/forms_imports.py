"""The form of the ledger's Excel import: the sheet, and the audit engagement its problems were found by."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.models import AuditEngagement
from audits.permissions import audits_scope
from audits.services.imports import MAX_UPLOAD_BYTES
from households.sheet_convert import SHEET_EXTENSIONS
from organisation.forms import StyledFormMixin
from organisation.scoping import Access


class LedgerImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Sheet (.xlsx, .xls or .ods)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SHEET_EXTENSIONS)}),
    )
    engagement = forms.ModelChoiceField(
        queryset=AuditEngagement.objects.none(),
        required=False,
        label=gettext_lazy("Audit engagement"),
        help_text=gettext_lazy("The inspection or audit the problems were found by, if it is recorded."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = audits_scope(user, Access.VIEW, AuditEngagement.objects.all())
        self.fields["file"].help_text = _("One row per problem, as in the template; at most %(size)d MB.") % {
            "size": MAX_UPLOAD_BYTES // (1024 * 1024)
        }
