"""The supervision pages (points 18 and 20): supervision orders and the reply, interviews, accountability records,
bulletins, and the district office's "run the ledger scan now"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from audits.forms_supervision import (
    AccountabilityFilterForm,
    AccountabilityRecordForm,
    BulletinForm,
    InterviewFilterForm,
    InterviewForm,
    OrderFilterForm,
    OrderIssueForm,
    OrderReplyForm,
    TownFilterForm,
)
from audits.models import Accountability, Bulletin, Interview, SupervisionOrder
from audits.permissions import (
    ACCOUNTABILITY_RECORDERS,
    BULLETIN_PUBLISHERS,
    INTERVIEW_RECORDERS,
    LEDGER_SCAN_RUNNERS,
    ORDER_ISSUERS,
    ORDER_REPLIERS,
    audits_scope,
)
from audits.selectors import supervision as selectors
from audits.services import supervision as services
from audits.services.scan import ledger_scan_request
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.models import Town
from organisation.scoping import Access, may_act, towns_for
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceActionView, ServiceFormView, StepFormView

PAGE_SIZE = 25


class _Scoped(ScopedMixin):
    """A page of one kind of supervision record, from the audits scope."""

    scope = staticmethod(audits_scope)
    model: type = SupervisionOrder

    def get_queryset(self):
        return audits_scope(self.request.user, self.access, self.model.objects.all())


class _FilteredList(_Scoped, ListView):
    paginate_by = PAGE_SIZE
    filter_form_class: type = TownFilterForm

    def get(self, request, *args, **kwargs):
        self.filter_form = self.filter_form_class(request.GET or None, towns=towns_for(request.user))
        self.filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        self.query = request.GET.get("q", "")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class TownItemsMixin:
    """A form naming ledger items: they are chosen among the open items of one town (``town`` of the form, or
    ``?town=`` to start with), so the choice stays short whatever the size of the ledger."""

    def items_town(self) -> Town | None:
        town_id = self.request.POST.get("town") or self.request.GET.get("town")
        if not (town_id and str(town_id).isdigit()):
            return None
        return towns_for(self.request.user).filter(pk=town_id).first()

    def get_initial(self):
        town = self.items_town()
        return {**super().get_initial(), **({"town": town} if town else {})}

    def get_form_kwargs(self):
        town = self.items_town()
        items = selectors.items_to_order(user=self.request.user)
        return {**super().get_form_kwargs(), "items": items.filter(town=town) if town else items.none()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            items_town=self.items_town(), town_choices=towns_for(self.request.user).order_by("name"), **kwargs
        )


# --- Supervision orders ---------------------------------------------------------------------------------------------


def orders_filtered(user, params):
    """The order list's filter form and its orders for ``params`` (the query string): the page and its Excel export
    (``audits.list_exports``) read them the same way."""
    form = OrderFilterForm(params or None, towns=towns_for(user))
    filters = form.cleaned_data if form.is_valid() else {}
    orders = selectors.order_list(
        user=user,
        town=filters.get("town"),
        replied=filters.get("replied", ""),
        overdue_reply=bool(filters.get("overdue")),
        issued_from=filters.get("issued_from"),
        issued_to=filters.get("issued_to"),
        query=params.get("q", ""),
    )
    return form, orders


class OrderListView(SortableListMixin, _FilteredList):
    sort_columns = (
        SortColumn("number", ("year", "sequence")),
        SortColumn("town", ("town__code",)),
        SortColumn("issued_on", ("clock_start",)),
        SortColumn("items", ("item_count",)),
        SortColumn("due_date", ("due_date",)),
        SortColumn("reply", ("replied_on",)),
    )
    template_name = "audits/supervision/order_list.html"
    filter_form_class = OrderFilterForm

    def get_queryset(self):
        orders = orders_filtered(self.request.user, self.request.GET)[1]
        return self.sorting.apply(orders)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            today=timezone.localdate(),
            may_issue=may_act(self.request.user, ORDER_ISSUERS),
            may_run_scan=may_act(self.request.user, LEDGER_SCAN_RUNNERS),
            **kwargs,
        )


class OrderDetailView(_Scoped, DetailView):
    template_name = "audits/supervision/order_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("town", "issued_by", "replied_by")

    def get_context_data(self, **kwargs):
        order = self.object
        may_reply = (
            order.replied_on is None
            and may_act(self.request.user, ORDER_REPLIERS)
            and audits_scope(self.request.user, Access.CHANGE, SupervisionOrder.objects.filter(pk=order.pk)).exists()
        )
        return super().get_context_data(
            order_items=selectors.order_items(order), may_reply=may_reply, today=timezone.localdate(), **kwargs
        )


class OrderIssueView(TownItemsMixin, RoleRequiredMixin, ServiceFormView):
    allowed_roles = ORDER_ISSUERS
    form_class = OrderIssueForm
    template_name = "audits/supervision/form.html"
    date_fields = ("issued_on",)
    success_message = gettext_lazy("The supervision order is issued and the town is notified.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Issue a supervision order"), **kwargs)

    def perform(self, **data):
        return services.order_issue(user=self.request.user, **data)


class OrderReplyView(_Scoped, StepFormView):
    access = Access.CHANGE
    form_class = OrderReplyForm
    title = gettext_lazy("Reply to the supervision order")
    date_fields = ("replied_on",)
    success_message = gettext_lazy("The reply is recorded.")
    shows_history = True

    def get_object(self):
        order = super().get_object()
        if not may_act(self.request.user, ORDER_REPLIERS):
            raise PermissionDenied
        return order

    def facts(self):
        order = self.object
        return [
            (_("Addressee"), order.addressee),
            (_("Reply due by"), order.due_date),
            (_("Requirement"), order.requirement),
        ]

    def perform(self, **data):
        return services.order_reply(user=self.request.user, order=self.object, **data)


# --- Interviews -----------------------------------------------------------------------------------------------------


class InterviewListView(SortableListMixin, _FilteredList):
    sort_columns = (
        SortColumn("held_on", ("held_on",)),
        SortColumn("town", ("town__code",)),
        SortColumn("interviewee", ("interviewee_name",)),
        SortColumn("interviewer", ("interviewer",)),
        SortColumn("items", ("item_count",)),
        SortColumn("new_deadline", ("new_deadline",)),
    )
    model = Interview
    template_name = "audits/supervision/interview_list.html"
    filter_form_class = InterviewFilterForm

    def get_queryset(self):
        return self.sorting.apply(
            selectors.interview_list(
                user=self.request.user,
                town=self.filters.get("town"),
                held_from=self.filters.get("held_from"),
                held_to=self.filters.get("held_to"),
                query=self.query,
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            due_items=selectors.interview_due_items(user=self.request.user)[:100],
            may_record=may_act(self.request.user, INTERVIEW_RECORDERS),
            **kwargs,
        )


class InterviewDetailView(_Scoped, DetailView):
    model = Interview
    template_name = "audits/supervision/interview_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=selectors.linked_items(self.object), **kwargs)


class InterviewRecordView(TownItemsMixin, RoleRequiredMixin, ServiceFormView):
    allowed_roles = INTERVIEW_RECORDERS
    form_class = InterviewForm
    template_name = "audits/supervision/form.html"
    date_fields = ("held_on",)
    success_message = gettext_lazy("The interview is recorded; its items are due on the new deadline.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Record an interview"), **kwargs)

    def perform(self, **data):
        return services.interview_record(user=self.request.user, **data)


# --- Accountability -------------------------------------------------------------------------------------------------


class AccountabilityListView(SortableListMixin, _FilteredList):
    sort_columns = (
        SortColumn("decided_on", ("decided_on",)),
        SortColumn("person", ("person_name",)),
        SortColumn("unit", ("unit",)),
        SortColumn("town", ("town__code",)),
        SortColumn("form", ("form",)),
        SortColumn("document_number", ("document_number",)),
    )
    model = Accountability
    template_name = "audits/supervision/accountability_list.html"
    filter_form_class = AccountabilityFilterForm

    def get_queryset(self):
        return self.sorting.apply(
            selectors.accountability_list(
                user=self.request.user,
                town=self.filters.get("town"),
                form=self.filters.get("form", ""),
                query=self.query,
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_record=may_act(self.request.user, ACCOUNTABILITY_RECORDERS), **kwargs)


class AccountabilityDetailView(_Scoped, DetailView):
    model = Accountability
    template_name = "audits/supervision/accountability_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=selectors.linked_items(self.object), **kwargs)


class AccountabilityRecordView(TownItemsMixin, RoleRequiredMixin, ServiceFormView):
    allowed_roles = ACCOUNTABILITY_RECORDERS
    form_class = AccountabilityRecordForm
    template_name = "audits/supervision/form.html"
    date_fields = ("decided_on",)
    success_message = gettext_lazy("The accountability record is saved.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Record accountability"), **kwargs)

    def perform(self, **data):
        return services.accountability_record(user=self.request.user, **data)


# --- Bulletins ------------------------------------------------------------------------------------------------------


class BulletinListView(SortableListMixin, _Scoped, ListView):
    sort_columns = (
        SortColumn("published_on", ("published_on",)),
        SortColumn("title", ("title",)),
    )
    model = Bulletin
    paginate_by = PAGE_SIZE
    template_name = "audits/supervision/bulletin_list.html"

    def get_queryset(self):
        return self.sorting.apply(selectors.bulletin_list(user=self.request.user, query=self.request.GET.get("q", "")))

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_publish=may_act(self.request.user, BULLETIN_PUBLISHERS), **kwargs)


class BulletinDetailView(_Scoped, DetailView):
    model = Bulletin
    template_name = "audits/supervision/bulletin_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=selectors.linked_items(self.object), **kwargs)


class BulletinPublishView(TownItemsMixin, RoleRequiredMixin, ServiceFormView):
    allowed_roles = BULLETIN_PUBLISHERS
    form_class = BulletinForm
    template_name = "audits/supervision/form.html"
    date_fields = ("published_on",)
    success_message = gettext_lazy("The bulletin is published.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Publish a bulletin"), **kwargs)

    def perform(self, *, town=None, **data):
        return services.bulletin_publish(user=self.request.user, **data)


# --- The daily ledger scan, now -------------------------------------------------------------------------------------


class LedgerScanRunView(RoleRequiredMixin, ServiceActionView):
    """ "Run the ledger scan now": queued once the request commits; a broker that is down is said, not a 500."""

    allowed_roles = LEDGER_SCAN_RUNNERS

    def perform(self):
        ledger_scan_request(user=self.request.user, report=self.report)

    def report(self, queued: bool) -> None:
        if queued:
            messages.info(
                self.request, _("The ledger scan is queued; new items, orders and reminders appear within a minute.")
            )
        else:
            messages.error(
                self.request, _("The job queue cannot be reached: the scan was not queued. Try again later.")
            )

    def get_success_message(self, result) -> str:
        # Said by ``report`` once the queue has answered (after the request's transaction commits).
        return ""

    def get_success_url(self) -> str:
        return reverse("audits:order_list")


urlpatterns = [
    path("orders/", OrderListView.as_view(), name="order_list"),
    path("orders/new/", OrderIssueView.as_view(), name="order_issue"),
    path("orders/<int:pk>/", OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/reply/", OrderReplyView.as_view(), name="order_reply"),
    path("interviews/", InterviewListView.as_view(), name="interview_list"),
    path("interviews/new/", InterviewRecordView.as_view(), name="interview_record"),
    path("interviews/<int:pk>/", InterviewDetailView.as_view(), name="interview_detail"),
    path("accountability/", AccountabilityListView.as_view(), name="accountability_list"),
    path("accountability/new/", AccountabilityRecordView.as_view(), name="accountability_record"),
    path("accountability/<int:pk>/", AccountabilityDetailView.as_view(), name="accountability_detail"),
    path("bulletins/", BulletinListView.as_view(), name="bulletin_list"),
    path("bulletins/new/", BulletinPublishView.as_view(), name="bulletin_publish"),
    path("bulletins/<int:pk>/", BulletinDetailView.as_view(), name="bulletin_detail"),
    path("scan/", LedgerScanRunView.as_view(), name="ledger_scan_run"),
]
