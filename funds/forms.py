"""Forms of the disbursement chain: typed input only; the rules are in ``funds.services.chain``.

Labels are the models' verbose names, so a field is named the same on the form, in its error and in the history.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funds.models import Allocation, Hop, PaymentRequest, PaymentRequestStatus, Transfer
from funds.selectors.chain import AllocationState, TransferState
from organisation.forms import choice_of, date_field, filter_field, model_field, model_fields_form, styled
from organisation.models import Town
from organisation.scoping import village_choices_wait_for_town

# --- District finance bureau --------------------------------------------------------------------------------------


AllocationForm = model_fields_form(
    Allocation, "document_number", "title", "issued_by", "year", "amount", "received_on", "note"
)


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


# What a returned request may be corrected in.
PaymentRequestCorrectionForm = model_fields_form(PaymentRequest, "project_name", "purpose", "amount")


class PaymentRequestForm(PaymentRequestCorrectionForm):
    village = choice_of(None, PaymentRequest._meta.get_field("village").verbose_name)
    allocation = choice_of(None, PaymentRequest._meta.get_field("allocation").verbose_name)

    field_order = ["village", "allocation"]

    def __init__(self, *args, villages, allocations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda allocation: (
            f"{allocation.document_number} {allocation.title}"
        )


class PaymentRequestApproveForm(forms.Form):
    approved_on = date_field(_("approved on"))


class PaymentRequestReturnForm(forms.Form):
    returned_on = date_field(_("returned on"))
    reason = model_field(PaymentRequest, "return_reason", required=True)


# --- The audit bureau and the discipline commission ---------------------------------------------------------------


class FindingForm(forms.Form):
    note = styled(
        forms.CharField(label=_("What was found"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    )


# --- The lists' filters -------------------------------------------------------------------------------------------


class ChainFilterForm(forms.Form):
    """Search, town and a date range (and an allocation, where a list has that filter); a value that does not parse
    is ignored (the list is not filtered by it). ``date_range``: what the list's selector calls the range's ends."""

    date_range = ("date_from", "date_to")

    q = filter_field(forms.CharField(label=_("Search"), max_length=100))
    town = filter_field(choice_of(None, _("Town or street"), empty_label=_("All towns")))
    date_from = filter_field(forms.DateField(label=_("From")))
    date_to = filter_field(forms.DateField(label=pgettext_lazy("end of a date range", "To")))

    def __init__(self, data, *, towns, allocations, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["town"].queryset = towns
        if "allocation" in self.fields:
            # Its options show the document number only: the rest of each of hundreds of allocations is not read.
            self.fields["allocation"].queryset = allocations.only("pk", "document_number")
            self.fields["allocation"].label_from_instance = lambda allocation: allocation.document_number
        # The page shows one label over the range (what the dates are of); these name the two boxes.
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label

    def filters(self) -> dict:
        """The filters by the list selector's argument names; one left empty or not parsed is None, or "" for text."""
        self.is_valid()
        values = {name: self.cleaned_data.get(name, field.to_python("")) for name, field in self.fields.items()}
        first, last = self.date_range
        values["query"], values[first], values[last] = values.pop("q"), values.pop("date_from"), values.pop("date_to")
        return values


class AllocationFilterForm(ChainFilterForm):
    date_range = ("received_from", "received_to")

    state = filter_field(
        forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *AllocationState.choices])
    )


class TransferFilterForm(ChainFilterForm):
    date_range = ("clock_from", "clock_to")

    village = filter_field(
        choice_of(None, pgettext_lazy("unit of the chain", "Village"), empty_label=_("All villages"))
    )
    hop = filter_field(forms.ChoiceField(label=_("hop"), choices=[("", _("Every hop")), *Hop.choices]))
    state = filter_field(forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *TransferState.choices]))
    allocation = filter_field(choice_of(None, _("allocation"), empty_label=_("Every allocation")))
    # What the chain had moved by a day: the figures of a month count the money sent or received by its last day.
    sent_to = filter_field(forms.DateField(label=_("Sent on or before")))
    received_to = filter_field(forms.DateField(label=_("Received on or before")))

    field_order = ["q", "town", "village"]

    def __init__(self, data, *, villages, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["village"].queryset = villages
        village_choices_wait_for_town(self.fields["village"])


class PaymentRequestFilterForm(ChainFilterForm):
    date_range = ("submitted_from", "submitted_to")

    status = filter_field(
        forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *PaymentRequestStatus.choices])
    )
    allocation = filter_field(choice_of(None, _("allocation"), empty_label=_("Every allocation")))


class OverdueFilterForm(forms.Form):
    town = forms.ModelChoiceField(queryset=Town.objects.none(), required=False, label=_("Town"))
    hop = forms.ChoiceField(choices=[("", _("All hops")), *Hop.choices], required=False, label=_("Hop"))
    min_days = forms.IntegerField(min_value=1, max_value=10000, required=False, label=_("At least days overdue"))
    q = forms.CharField(required=False, max_length=60, label=_("Document number"))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
