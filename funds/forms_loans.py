"""Forms of the microcredit pages: typed input only; the rules are the services' (funds.services.loans)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import Loan, LoanStatus, Repayment, RiskBand
from funds.selectors.loans import LoanFilters, towns_for_filter
from households.models import Member
from organisation.forms import filter_field, model_field, styled
from organisation.models import Town, Village
from organisation.scoping import village_choices_wait_for_town, village_filter_choices


class LoanFilterForm(forms.Form):
    """The list's filters; the towns and villages offered are those the user reaches."""

    q = filter_field(forms.CharField(label=_("Borrower, file number or contract number"), required=False))
    town = filter_field(
        forms.ModelChoiceField(
            Town.objects.none(), label=_("Town or street"), required=False, empty_label=_("All towns")
        )
    )
    village = filter_field(
        forms.ModelChoiceField(
            Village.objects.none(), label=_("Village"), required=False, empty_label=_("All villages")
        )
    )
    status = filter_field(
        forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *LoanStatus.choices], required=False)
    )
    risk_band = filter_field(
        forms.TypedChoiceField(
            label=_("Risk warning"),
            choices=[("", _("Any risk warning")), *RiskBand.choices],
            coerce=int,
            empty_value=None,
            required=False,
        )
    )
    processing_overdue = forms.BooleanField(label=_("Processing overdue only"), required=False)
    at_risk = forms.BooleanField(label=_("With a risk warning only"), required=False)
    received_from = filter_field(forms.DateField(label=_("Received from"), required=False))
    received_to = filter_field(forms.DateField(label=_("Received to"), required=False))
    disbursed_from = filter_field(forms.DateField(label=_("Disbursed from"), required=False))
    disbursed_to = filter_field(forms.DateField(label=_("Disbursed to"), required=False))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for_filter(user).order_by("code")
        self.fields["village"].queryset = village_filter_choices(user, self.data)
        village_choices_wait_for_town(self.fields["village"])

    def filters(self) -> LoanFilters:
        data = self.cleaned_data
        return LoanFilters(
            town=data["town"],
            village=data["village"],
            status=data["status"],
            risk_band=data["risk_band"],
            processing_overdue=data["processing_overdue"],
            at_risk=data["at_risk"],
            received_from=data["received_from"],
            received_to=data["received_to"],
            disbursed_from=data["disbursed_from"],
            disbursed_to=data["disbursed_to"],
            query=data["q"],
        )


class LoanApplicationForm(forms.Form):
    """An application of one household; the borrower is chosen among its members."""

    borrower = styled(forms.ModelChoiceField(Member.objects.none(), label=_("Borrower")))
    amount = model_field(Loan, "amount", min_value=Decimal("0.01"))
    term_months = model_field(Loan, "term_months", min_value=1)
    repayment_interval = model_field(Loan, "repayment_interval")
    purpose = model_field(Loan, "purpose")
    received_on = styled(
        forms.DateField(
            label=_("Application received on"),
            help_text=_("限时办结: the processing time limit is counted in working days from this day."),
        )
    )
    bank = model_field(Loan, "bank")

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = household.members.order_by("id")
        self.fields["borrower"].label_from_instance = lambda member: (
            f"{member.name}（{member.get_relation_display()}，{member.birth_date:%Y-%m-%d}）"
        )


class LoanDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("The bank's decision"),
        choices=[(APPROVE, _("Approved")), (REJECT, _("Rejected"))],
        widget=forms.RadioSelect,
    )
    decided_on = model_field(Loan, "decided_on", required=True)
    reason = model_field(
        Loan, "reject_reason", required=False, help_text=_("Required when the application is rejected.")
    )


class LoanDisbursementForm(forms.Form):
    disbursed_on = model_field(Loan, "disbursed_on", required=True)
    contract_number = model_field(Loan, "contract_number", required=True)


class RepaymentForm(forms.Form):
    paid_on = model_field(Repayment, "paid_on")
    amount = model_field(Repayment, "amount", min_value=Decimal("0.01"))
