"""Forms of the disbursement chain: typed input only; the rules are in ``funds.services.chain``.

Labels are the models' verbose names, so a field is named the same on the form, in its error and in the history.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funds.models import Allocation, Hop, PaymentRequest, PaymentRequestStatus, Transfer
from funds.selectors.chain import AllocationState, TransferState


def _styled(field: forms.Field) -> forms.Field:
    if isinstance(field, forms.DateField):
        field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs["rows"] = 3
    field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
    return field


def model_field(model, name: str, **overrides) -> forms.Field:
    """The form field of a model field, labelled by its verbose name."""
    return _styled(model._meta.get_field(name).formfield(**overrides))


def choice_of(queryset, label, **kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset, label=label, widget=forms.Select(attrs={"class": "form-select"}), **kwargs)


# --- District finance bureau --------------------------------------------------------------------------------------


class AllocationForm(forms.Form):
    document_number = model_field(Allocation, "document_number")
    title = model_field(Allocation, "title")
    issued_by = model_field(Allocation, "issued_by")
    year = model_field(Allocation, "year")
    amount = model_field(Allocation, "amount")
    received_on = model_field(Allocation, "received_on")
    note = model_field(Allocation, "note")


class ShareForm(forms.Form):
    """One town's share of an allocation (a row of the allocation form, or a share given later)."""

    town = choice_of(None, Transfer._meta.get_field("town").verbose_name)
    # A share's own minimum: allocation_record names a share's amount with the allocation's field key ("amount").
    amount = model_field(Transfer, "amount", min_value=Decimal("0.01"))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


# Empty rows are left out; the service refuses a town twice and shares above the allocation's amount.
ShareFormSet = forms.formset_factory(ShareForm, extra=3)


# --- Every hop ----------------------------------------------------------------------------------------------------


class TransferSendForm(forms.Form):
    sent_on = model_field(Transfer, "sent_on", required=True)
    voucher_number = model_field(Transfer, "voucher_number")


class TransferReceiveForm(forms.Form):
    received_on = model_field(Transfer, "received_on", required=True)


# --- Villages and the station -------------------------------------------------------------------------------------


class PaymentRequestForm(forms.Form):
    village = choice_of(None, PaymentRequest._meta.get_field("village").verbose_name)
    allocation = choice_of(None, PaymentRequest._meta.get_field("allocation").verbose_name)
    project_name = model_field(PaymentRequest, "project_name")
    purpose = model_field(PaymentRequest, "purpose")
    amount = model_field(PaymentRequest, "amount")

    def __init__(self, *args, villages, allocations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda allocation: (
            f"{allocation.document_number} {allocation.title}"
        )


class PaymentRequestCorrectionForm(forms.Form):
    project_name = model_field(PaymentRequest, "project_name")
    purpose = model_field(PaymentRequest, "purpose")
    amount = model_field(PaymentRequest, "amount")


class PaymentRequestApproveForm(forms.Form):
    approved_on = _styled(forms.DateField(label=_("approved on")))


class PaymentRequestReturnForm(forms.Form):
    returned_on = _styled(forms.DateField(label=_("returned on")))
    reason = model_field(PaymentRequest, "return_reason", required=True)


# --- The lists' filters -------------------------------------------------------------------------------------------


def _small(field: forms.Field) -> forms.Field:
    field.required = False
    css = _styled(field).widget.attrs["class"]
    field.widget.attrs["class"] = f"{css} {css}-sm"
    return field


class ChainFilterForm(forms.Form):
    """Search, town and a date range; a value that does not parse is ignored (the list is not filtered by it)."""

    q = _small(forms.CharField(label=_("Search"), max_length=100))
    town = _small(choice_of(None, _("Town or street"), empty_label=_("All towns")))
    date_from = _small(forms.DateField(label=_("From")))
    date_to = _small(forms.DateField(label=pgettext_lazy("end of a date range", "To")))

    def __init__(self, data, *, towns, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["town"].queryset = towns
        # The page shows one label over the range (what the dates are of); these name the two boxes.
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label

    def filters(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class AllocationFilterForm(ChainFilterForm):
    state = _small(forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *AllocationState.choices]))


class TransferFilterForm(ChainFilterForm):
    hop = _small(forms.ChoiceField(label=_("hop"), choices=[("", _("Every hop")), *Hop.choices]))
    state = _small(forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *TransferState.choices]))
    allocation = _small(choice_of(None, _("allocation"), empty_label=_("Every allocation")))

    def __init__(self, data, *, towns, allocations, **kwargs):
        super().__init__(data, towns=towns, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda allocation: allocation.document_number


class PaymentRequestFilterForm(ChainFilterForm):
    status = _small(
        forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *PaymentRequestStatus.choices])
    )
    allocation = _small(choice_of(None, _("allocation"), empty_label=_("Every allocation")))

    def __init__(self, data, *, towns, allocations, **kwargs):
        super().__init__(data, towns=towns, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda allocation: allocation.document_number
