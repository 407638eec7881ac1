"""Pages of the disbursement chain (point 5): what waits for me, the lists, the records and each step.

Records come from ``funds_scope``: one outside the user's reach is a 404. A step's page is a 403 for a role that
does not do the step or cannot change the record; the step itself is the service's, and a rule it refuses shows on
the form. Requests run in one transaction (``ATOMIC_REQUESTS``), so a refused step leaves nothing written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

from funds import forms
from funds.models import Allocation, Hop, PaymentRequest, PaymentRequestStatus, Transfer, Unit
from funds.permissions import DISTRICT_WRITERS, funds_scope, may_act_for
from funds.selectors import chain as selectors
from funds.services import chain as services
from organisation.access import ScopedMixin
from organisation.forms import service_errors_to_form
from organisation.scoping import Access, has_district_reach, towns_for, village_filter_choices, villages_for
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView, StepFormView

PAGE_SIZE = 25


class ChainScopedMixin(ScopedMixin):
    """Records of ``model`` from ``funds_scope`` with ``access``."""

    scope = staticmethod(funds_scope)
    model = Transfer

    def get_queryset(self):
        return funds_scope(self.request.user, self.access, self.model._default_manager.all())


# --- What waits for me --------------------------------------------------------------------------------------------


class OverviewView(ChainScopedMixin, TemplateView):
    template_name = "funds/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(queues=selectors.waiting_for(user), **kwargs)
        if selectors.shows_chain_counts(user):
            context["hop_counts"], context["request_counts"] = selectors.chain_counts(user)
        context["may_record"] = may_act_for(user, Unit.DISTRICT_FINANCE)
        context["may_request"] = may_act_for(user, Unit.VILLAGE)
        return context


# --- Lists --------------------------------------------------------------------------------------------------------


class ChainListView(ChainScopedMixin, ListView):
    """A filtered list with the totals of everything it matches (not only of the page shown): ``list_selector`` is
    given the filter form's filters, ``totals`` the list."""

    paginate_by = PAGE_SIZE
    filter_form_class = forms.ChainFilterForm
    list_selector = None
    totals = None

    def get_queryset(self):
        self.filter_form, rows = self.filtered(self.request.user, self.request.GET)
        return rows

    @classmethod
    def filtered(cls, user, params):
        """The list's filter form and its rows for ``params`` (the query string): the page and its Excel export
        (``funds.list_exports``) read them the same way."""
        form = cls.filter_form_class(
            params,
            towns=selectors.towns_reached(user),
            allocations=selectors.allocations_reached(user),
            **cls.filter_form_kwargs(user, params),
        )
        return form, cls.list_selector(user=user, **form.filters())

    @staticmethod
    def filter_form_kwargs(user, params) -> dict:
        """What a list's own filters need besides the towns and allocations."""
        return {}

    def get_paginator(self, queryset, per_page, **kwargs):
        """The paginator counts from the list's totals, which count every row the filters match anyway: counting the
        same rows twice took 30 ms of the district's transfers list on the province (210,415 transfers)."""
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.list_totals["count"]  # Paginator.count is a cached property: set before any page
        return paginator

    def get_context_data(self, **kwargs):
        self.list_totals = self.totals(self.object_list)  # before the page is taken: get_paginator counts from them
        return super().get_context_data(filter_form=self.filter_form, totals=self.list_totals, **kwargs)


class AllocationListView(SortableListMixin, ChainListView):
    model = Allocation
    sort_columns = (
        SortColumn("document", ("document_number",)),
        SortColumn("title", ("title",)),
        SortColumn("year", ("year",)),
        SortColumn("received_on", ("received_on",)),
        SortColumn("amount", ("amount",)),
        SortColumn("allotted", ("allotted",)),
    )
    template_name = "funds/chain/allocation_list.html"
    filter_form_class = forms.AllocationFilterForm
    list_selector = staticmethod(selectors.allocation_list)
    totals = staticmethod(selectors.allocation_totals)

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_record=may_act_for(self.request.user, Unit.DISTRICT_FINANCE), **kwargs)


class TransferListView(SortableListMixin, ChainListView):
    model = Transfer
    sort_columns = (
        SortColumn("document", ("allocation__document_number",)),
        SortColumn("hop", ("hop",)),
        SortColumn("recipient", ("town__code", "village__code")),
        SortColumn("amount", ("amount",)),
        SortColumn("clock_start", ("clock_start",)),
        SortColumn("due_date", ("due_date",)),
    )
    template_name = "funds/chain/transfer_list.html"
    filter_form_class = forms.TransferFilterForm
    list_selector = staticmethod(selectors.transfer_list)
    totals = staticmethod(selectors.transfer_totals)

    @staticmethod
    def filter_form_kwargs(user, params):
        return {"villages": village_filter_choices(user, params)}


class PaymentRequestListView(SortableListMixin, ChainListView):
    model = PaymentRequest
    sort_columns = (
        SortColumn("submitted_on", ("submitted_on",)),
        SortColumn("town", ("village__town__code",)),
        SortColumn("village", ("village__code",)),
        SortColumn("project", ("project_name",)),
        SortColumn("document", ("allocation__document_number",)),
        SortColumn("amount", ("amount",)),
        SortColumn("status", ("status",)),
    )
    template_name = "funds/chain/request_list.html"
    filter_form_class = forms.PaymentRequestFilterForm
    list_selector = staticmethod(selectors.payment_request_list)
    totals = staticmethod(selectors.payment_request_totals)

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_request=may_act_for(self.request.user, Unit.VILLAGE), **kwargs)


# --- Records ------------------------------------------------------------------------------------------------------


class AllocationDetailView(ChainScopedMixin, DetailView):
    model = Allocation
    template_name = "funds/chain/allocation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("recorded_by")

    def get_context_data(self, **kwargs):
        user, allocation = self.request.user, self.object
        return super().get_context_data(
            chain=selectors.allocation_chain(user=user, allocation=allocation),
            steps=selectors.allocation_steps(user=user, allocation=allocation),
            history_hidden=() if has_district_reach(user, Access.VIEW) else Allocation.history_district_only,
            **kwargs,
        )


class TransferDetailView(ChainScopedMixin, DetailView):
    model = Transfer
    template_name = "funds/chain/transfer_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("allocation", "town", "village", "payment_request", "source", "sent_by", "received_by")
        )

    def get_context_data(self, **kwargs):
        user, transfer = self.request.user, self.object
        transfer.days_left = selectors.days_left(transfer.due_date)
        onward = selectors.with_days_left(funds_scope(user).filter(source=transfer).select_related("town"))
        return super().get_context_data(
            onward=list(onward),
            allocation_visible=selectors.allocation_visible(user=user, allocation_id=transfer.allocation_id),
            steps=selectors.transfer_steps(user=user, transfer=transfer),
            **kwargs,
        )


class PaymentRequestDetailView(ChainScopedMixin, DetailView):
    model = PaymentRequest
    template_name = "funds/chain/request_detail.html"
    context_object_name = "payment_request"

    def get_queryset(self):
        return super().get_queryset().select_related("village__town", "allocation", "submitted_by", "reviewed_by")

    def get_context_data(self, **kwargs):
        user, request = self.request.user, self.object
        transfer = funds_scope(user).filter(payment_request=request).first()
        if transfer is not None:
            transfer.days_left = selectors.days_left(transfer.due_date)
        return super().get_context_data(
            transfer=transfer,
            allocation_visible=selectors.allocation_visible(user=user, allocation_id=request.allocation_id),
            steps=selectors.payment_request_steps(user=user, request=request),
            **kwargs,
        )


# --- Steps --------------------------------------------------------------------------------------------------------


class RecordStepView(ChainScopedMixin, StepFormView):
    """A step on one record: 404 outside the user's view, 403 for a role that does not do the step here.

    Subclasses set ``model``, ``form_class``, ``title`` and ``success_message``, name the unit acting and do the
    step through its service in ``perform``.
    """

    def get_object(self):
        self.object = super().get_object()  # which unit acts may depend on the record
        if not selectors.may_act_on(user=self.request.user, record=self.object, unit=self.acting_unit()):
            raise PermissionDenied
        return self.object

    def acting_unit(self) -> Unit:
        raise NotImplementedError

    def step_open(self) -> bool:
        """Whether the record is at this step; if not, the page sends the user back (the service refuses it too)."""
        return True

    def get(self, request, *args, **kwargs):
        if not self.step_open():
            messages.warning(request, _("This step is already done, or not yet due, on this record."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().get(request, *args, **kwargs)


def _transfer_facts(transfer: Transfer) -> list[tuple[str, object]]:
    return [
        (Transfer._meta.get_field("hop").verbose_name, transfer.get_hop_display()),
        (gettext_lazy("Recipient"), transfer.recipient_name),
        (Transfer._meta.get_field("amount").verbose_name, transfer.amount),
        (Transfer._meta.get_field("due_date").verbose_name, transfer.due_date),
    ]


class TransferStepView(RecordStepView):
    model = Transfer

    def get_queryset(self):
        return super().get_queryset().select_related("allocation", "town", "village")

    def facts(self):
        return _transfer_facts(self.object)


class TransferSendView(TransferStepView):
    form_class = forms.TransferSendForm
    title = gettext_lazy("Record the sending of the money")
    success_message = gettext_lazy("The sending is recorded.")
    date_fields = ("sent_on",)

    def acting_unit(self):
        return self.object.sender

    def step_open(self):
        return self.object.sent_on is None

    def perform(self, *, sent_on, voucher_number):
        return services.transfer_send(
            user=self.request.user, transfer=self.object, sent_on=sent_on, voucher_number=voucher_number
        )


class TransferReceiveView(TransferStepView):
    form_class = forms.TransferReceiveForm
    title = gettext_lazy("Confirm that the money arrived")
    success_message = gettext_lazy("The receipt is confirmed.")
    date_fields = ("received_on",)

    def acting_unit(self):
        return self.object.receiver

    def step_open(self):
        return self.object.sent_on is not None and self.object.received_on is None

    def perform(self, *, received_on):
        return services.transfer_receive(user=self.request.user, transfer=self.object, received_on=received_on)

    def get_success_url(self):
        # The finance office's receipt starts its forwarding to the station: that is the next thing to do.
        if self.result is not None and self.result.hop == Hop.TO_TOWN:
            onward = Transfer.objects.filter(source=self.result).first()
            if onward is not None:
                return onward.get_absolute_url()
        return super().get_success_url()


class AllocationAllotView(RecordStepView):
    model = Allocation
    form_class = forms.ShareForm
    title = gettext_lazy("Give one more town a share")
    success_message = gettext_lazy("The share is recorded; the 15-day clock runs from the allocation's receipt.")

    def acting_unit(self):
        return Unit.DISTRICT_FINANCE

    def step_open(self):
        return self.object.unallotted > 0

    def get_form_kwargs(self):
        allotted = self.object.transfers.filter(hop=Hop.TO_TOWN).values("town_id")
        towns = towns_for(self.request.user, Access.CHANGE, DISTRICT_WRITERS).exclude(pk__in=allotted)
        return {**super().get_form_kwargs(), "towns": towns.order_by("code")}

    def facts(self):
        allocation = self.object
        return [
            (Allocation._meta.get_field("amount").verbose_name, allocation.amount),
            (Allocation._meta.get_field("allotted").verbose_name, allocation.allotted),
            (gettext_lazy("Not yet allotted (yuan)"), allocation.unallotted),
        ]

    def perform(self, *, town, amount):
        return services.allocation_allot(
            user=self.request.user, allocation=self.object, share=services.Share(town=town, amount=amount)
        )


class PaymentRequestStepView(RecordStepView):
    model = PaymentRequest
    open_status = PaymentRequestStatus.SUBMITTED

    def step_open(self):
        return self.object.status == self.open_status

    def get_queryset(self):
        return super().get_queryset().select_related("village__town", "allocation")

    def facts(self):
        request = self.object
        return [
            (PaymentRequest._meta.get_field("village").verbose_name, f"{request.village.town} {request.village}"),
            (PaymentRequest._meta.get_field("allocation").verbose_name, request.allocation.document_number),
            (PaymentRequest._meta.get_field("project_name").verbose_name, request.project_name),
            (PaymentRequest._meta.get_field("amount").verbose_name, request.amount),
            (PaymentRequest._meta.get_field("submitted_on").verbose_name, request.submitted_on),
        ]


class PaymentRequestApproveView(PaymentRequestStepView):
    form_class = forms.PaymentRequestApproveForm
    title = gettext_lazy("Approve the payment request")
    success_message = gettext_lazy("The request is approved: the money is due at the village in 5 working days.")
    date_fields = ("approved_on",)

    def acting_unit(self):
        return Unit.STATION

    def perform(self, *, approved_on):
        return services.payment_request_approve(user=self.request.user, request=self.object, approved_on=approved_on)


class PaymentRequestReturnView(PaymentRequestStepView):
    form_class = forms.PaymentRequestReturnForm
    title = gettext_lazy("Return the payment request")
    success_message = gettext_lazy("The request is returned to the village with the reason.")
    date_fields = ("returned_on",)

    def acting_unit(self):
        return Unit.STATION

    def perform(self, *, returned_on, reason):
        return services.payment_request_return(
            user=self.request.user, request=self.object, returned_on=returned_on, reason=reason
        )


class PaymentRequestResubmitView(PaymentRequestStepView):
    form_class = forms.PaymentRequestCorrectionForm
    title = gettext_lazy("Correct and submit the request again")
    success_message = gettext_lazy("The request is submitted again.")
    open_status = PaymentRequestStatus.RETURNED

    def acting_unit(self):
        return Unit.VILLAGE

    def get_initial(self):
        request = self.object
        return {"project_name": request.project_name, "purpose": request.purpose, "amount": request.amount}

    def facts(self):
        return [
            *super().facts(),
            (PaymentRequest._meta.get_field("return_reason").verbose_name, self.object.return_reason),
        ]

    def perform(self, **data):
        return services.payment_request_resubmit(user=self.request.user, request=self.object, **data)


# --- New records --------------------------------------------------------------------------------------------------


class AllocationCreateView(ChainScopedMixin, ServiceFormView):
    """The allocation and its towns' shares, recorded together by ``allocation_record`` or not at all."""

    model = Allocation
    access = Access.CHANGE
    form_class = forms.AllocationForm
    template_name = "funds/chain/allocation_form.html"
    date_fields = ("received_on",)
    share_errors: list[str] = []

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_act_for(request.user, Unit.DISTRICT_FINANCE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {**super().get_initial(), "year": timezone.localdate().year}

    def get_formset(self):
        towns = towns_for(self.request.user, Access.CHANGE, DISTRICT_WRITERS).order_by("code")
        data = self.request.POST if self.request.method == "POST" else None
        return forms.ShareFormSet(data, prefix="shares", form_kwargs={"towns": towns})

    def get_context_data(self, **kwargs):
        return super().get_context_data(share_errors=self.share_errors, **kwargs)

    def service_arguments(self, form):
        shares = [services.Share(**row.cleaned_data) for row in self.formset.forms if row.cleaned_data]
        return {**form.cleaned_data, "shares": shares}

    def perform(self, **data):
        return services.allocation_record(user=self.request.user, **data)

    def show_service_errors(self, form, error):
        """The service's errors by field on the form; those about the shares above the shares' table."""
        if not hasattr(error, "error_dict"):
            service_errors_to_form(form, error)
            return
        shares = error.error_dict.pop("shares", [])
        if error.error_dict:
            service_errors_to_form(form, ValidationError(error.error_dict))
        self.share_errors = [message for share_error in shares for message in share_error.messages]

    def get_success_message(self, allocation):
        return _("Allocation %(number)s is recorded.") % {"number": allocation.document_number}


class PaymentRequestCreateView(ChainScopedMixin, ServiceFormView):
    """A village's request for money of an allocation, for a village the user may change."""

    model = PaymentRequest
    access = Access.CHANGE
    form_class = forms.PaymentRequestForm
    template_name = "funds/chain/request_form.html"
    success_message = gettext_lazy("The payment request is submitted to the station for review.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_act_for(request.user, Unit.VILLAGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        villages = villages_for(user, Access.CHANGE).select_related("town").order_by("code")
        return {
            **super().get_form_kwargs(),
            "villages": villages,
            "allocations": selectors.allocations_open_to_villages(user),
        }

    def get_initial(self):
        initial = super().get_initial()
        villages = villages_for(self.request.user, Access.CHANGE)[:2]
        if len(villages) == 1:
            initial["village"] = villages[0]
        if (allocation := self.request.GET.get("allocation", "")).isdigit():
            initial["allocation"] = int(allocation)
        return initial

    def perform(self, **data):
        return services.payment_request_submit(user=self.request.user, **data)


urlpatterns = [
    path("", OverviewView.as_view(), name="overview"),
    path("allocations/", AllocationListView.as_view(), name="allocation_list"),
    path("allocations/new/", AllocationCreateView.as_view(), name="allocation_create"),
    path("allocations/<int:pk>/", AllocationDetailView.as_view(), name="allocation_detail"),
    path("allocations/<int:pk>/allot/", AllocationAllotView.as_view(), name="allocation_allot"),
    path("transfers/", TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/send/", TransferSendView.as_view(), name="transfer_send"),
    path("transfers/<int:pk>/receive/", TransferReceiveView.as_view(), name="transfer_receive"),
    path("requests/", PaymentRequestListView.as_view(), name="request_list"),
    path("requests/new/", PaymentRequestCreateView.as_view(), name="request_create"),
    path("requests/<int:pk>/", PaymentRequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/approve/", PaymentRequestApproveView.as_view(), name="request_approve"),
    path("requests/<int:pk>/return/", PaymentRequestReturnView.as_view(), name="request_return"),
    path("requests/<int:pk>/resubmit/", PaymentRequestResubmitView.as_view(), name="request_resubmit"),
]
