"""The rectification ledger's pages (整改台账, points 19 and 20): the list and its Excel export, an item with its
measures, progress, evidence, orders and look-backs, each step on it, the evidence download and the scorecards.

Records come from ``audits_scope``: one outside the user's reach is a 404; a step whose role the user does not hold
is a 403. The steps themselves are the services', which check role and reach again.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from audits.choices import ItemStatus
from audits.forms_ledger import (
    CloseOffRequestForm,
    CloseOffVerifyForm,
    EvidenceForm,
    ItemRaiseForm,
    ItemUpdateForm,
    LedgerFilterForm,
    LookBackForm,
    MeasureDoneForm,
    MeasureForm,
    ProgressNoteForm,
)
from audits.models import Evidence, Measure, RectificationItem
from audits.permissions import (
    CLOSE_OFF_VERIFIERS,
    DISTRICT_WRITERS,
    EVIDENCE_READERS,
    ITEM_KEEPERS,
    ITEM_RAISERS,
    PROGRESS_WRITERS,
    audits_scope,
    may_raise_items,
    verifier_refusal,
)
from audits.selectors import ledger as selectors
from audits.services import ledger as services
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.forms import query_year
from organisation.models import Town
from organisation.pagination import IdsFirstPaginator
from organisation.roles import Role
from organisation.scoping import Access, may_act, role_of, towns_for, villages_for
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView, StepFormView

PAGE_SIZE = 25


class _Items(ScopedMixin):
    scope = staticmethod(audits_scope)


# --- The ledger ---------------------------------------------------------------------------------------------------


def ledger_filtered(user, params):
    """The ledger list's filter form and its items for ``params`` (the query string): the page and its Excel export
    (``audits.list_exports``) read them the same way."""
    form = LedgerFilterForm(params, towns=towns_for(user).order_by("code"), villages=villages_for(user))
    return form, selectors.item_list(user=user, **form.filters())


class _Filtered(_Items):
    def filtered_items(self):
        self.filter_form, items = ledger_filtered(self.request.user, self.request.GET)
        return items


class ItemListView(SortableListMixin, _Filtered, ListView):
    template_name = "audits/ledger/item_list.html"
    paginate_by = PAGE_SIZE
    # The ids of a page come first (a narrow sort on the item's own columns, however deep the page).
    paginator_class = IdsFirstPaginator
    sort_columns = (
        SortColumn("number", ("year", "sequence")),
        SortColumn("source", ("source",)),
        SortColumn("responsible_unit", ("responsible_unit",)),
        SortColumn("responsible_person", ("responsible_person",)),
        SortColumn("due_date", ("due_date",)),
        SortColumn("status", ("status",)),
    )

    def get_queryset(self):
        return self.sorting.apply(self.filtered_items())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            filter_form=self.filter_form,
            may_raise=may_raise_items(self.request.user),
            today=timezone.localdate(),
            query_string=self.request.GET.urlencode(),
            **kwargs,
        )
        # The page's rows are a list now: their latest progress notes in one query.
        context["object_list"] = list(context["object_list"])
        selectors.latest_progress_attach(context["object_list"])
        return context


class ItemDetailView(_Items, DetailView):
    template_name = "audits/ledger/item_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("town", "village", "raised_by", "responsible_user", "close_requested_by", "closed_by")
        )

    def get_context_data(self, **kwargs):
        user, item = self.request.user, self.object
        may_change = audits_scope(user, Access.CHANGE).filter(pk=item.pk).exists()
        keeper = may_change and may_act(user, ITEM_KEEPERS)
        open_ = item.status == ItemStatus.OPEN
        pending = selectors.look_back_pending(item=item)
        verifier = may_act(user, CLOSE_OFF_VERIFIERS) and may_change
        return super().get_context_data(
            measures=selectors.item_measures(item=item),
            evidence=list(item.evidence.select_related("uploaded_by")),
            orders=list(item.orders.order_by("-year", "-sequence")),
            look_backs=selectors.item_look_backs(item=item),
            today=timezone.localdate(),
            may_edit=keeper and open_,
            may_add=keeper and item.status != ItemStatus.CLOSED,
            may_request=keeper and open_,
            may_verify=verifier
            and item.status == ItemStatus.CLOSE_OFF_REQUESTED
            and verifier_refusal(user, item) is None,
            may_look_back=verifier and pending is not None and verifier_refusal(user, item, separation=False) is None,
            may_write_progress=may_act(user, PROGRESS_WRITERS) and may_change and item.status != ItemStatus.CLOSED,
            is_clerk=role_of(user) == Role.VILLAGE_CLERK,
            may_download=may_act(user, EVIDENCE_READERS),
            **kwargs,
        )


class ItemRaiseView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = ITEM_RAISERS
    form_class = ItemRaiseForm
    template_name = "audits/ledger/form.html"
    success_message = gettext_lazy("The item is entered in the ledger.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Raise a rectification item"), **kwargs)

    def perform(self, **data):
        return services.item_raise(user=self.request.user, **data)


# --- Steps on an item ---------------------------------------------------------------------------------------------


class _ItemStep(_Items, StepFormView):
    """A step on one item: 404 outside the user's reach, 403 for a post that does not do it."""

    model: type = RectificationItem
    access = Access.CHANGE
    roles: frozenset = ITEM_KEEPERS

    def get_queryset(self):
        return audits_scope(self.request.user, self.access, self.model.objects.all())

    def get_object(self):
        record = super().get_object()
        if not may_act(self.request.user, self.roles):
            raise PermissionDenied
        return record

    @property
    def item(self) -> RectificationItem:
        return self.object

    def facts(self):
        item = self.item
        return [
            (RectificationItem._meta.get_field("description").verbose_name, item.description),
            (RectificationItem._meta.get_field("responsible_unit").verbose_name, item.responsible_unit),
            (RectificationItem._meta.get_field("due_date").verbose_name, item.due_date),
        ]


class ItemUpdateView(_ItemStep):
    form_class = ItemUpdateForm
    title = gettext_lazy("Change the item")
    success_message = gettext_lazy("The item is saved.")
    shows_history = True

    def get_form_kwargs(self):
        villages = villages_for(self.request.user, Access.CHANGE, DISTRICT_WRITERS).filter(town=self.item.town_id)
        towns = Town.objects.filter(pk=self.item.town_id)
        return {**super().get_form_kwargs(), "villages": villages, "towns": towns}

    def get_initial(self):
        item = self.item
        return {
            **super().get_initial(),
            "category": item.category,
            "village": item.village_id,
            "description": item.description,
            "responsible_unit": item.responsible_unit,
            "responsible_person": item.responsible_person,
            "responsible_user": item.responsible_user_id,
        }

    def perform(self, **data):
        return services.item_update(user=self.request.user, item=self.item, **data)


class MeasureAddView(_ItemStep):
    form_class = MeasureForm
    title = gettext_lazy("Add a rectification measure")
    success_message = gettext_lazy("The measure is added.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "item": self.item}

    def perform(self, **data):
        return services.measure_add(user=self.request.user, item=self.item, **data)


class EvidenceUploadView(_ItemStep):
    form_class = EvidenceForm
    title = gettext_lazy("Upload evidence")
    success_message = gettext_lazy("The file is stored.")
    template_name = "audits/ledger/evidence_form.html"

    def perform(self, *, upload):
        return services.evidence_upload(user=self.request.user, item=self.item, upload=upload)

    def get_success_url(self):
        return self.item.get_absolute_url()


class CloseOffRequestView(_ItemStep):
    form_class = CloseOffRequestForm
    title = gettext_lazy("Ask for the close-off")
    success_message = gettext_lazy("The close-off is asked for; another person verifies it.")

    def notes(self):
        return [_("At least one evidence file must be uploaded; a different person verifies the close-off.")]

    def perform(self, *, note):
        return services.close_off_request(user=self.request.user, item=self.item, note=note)


class CloseOffVerifyView(_ItemStep):
    form_class = CloseOffVerifyForm
    roles = CLOSE_OFF_VERIFIERS
    title = gettext_lazy("Verify the close-off")
    success_message = gettext_lazy("The verdict is recorded.")
    shows_history = True

    def get_object(self):
        item = super().get_object()
        if (refusal := verifier_refusal(self.request.user, item)) is not None:
            raise PermissionDenied(refusal)
        return item

    def facts(self):
        item = self.item
        return [
            *super().facts(),
            (RectificationItem._meta.get_field("close_request_note").verbose_name, item.close_request_note),
            (RectificationItem._meta.get_field("close_requested_by").verbose_name, item.close_requested_by),
        ]

    def perform(self, *, decision, note):
        approve = decision == CloseOffVerifyForm.APPROVE
        return services.close_off_verify(user=self.request.user, item=self.item, approve=approve, note=note)


class LookBackRecordView(_ItemStep):
    form_class = LookBackForm
    roles = CLOSE_OFF_VERIFIERS
    title = gettext_lazy("Record the look-back")
    success_message = gettext_lazy("The look-back is recorded.")

    def get_object(self):
        item = super().get_object()
        self.look_back = selectors.look_back_pending(item=item)
        if self.look_back is None:
            raise Http404
        if (refusal := verifier_refusal(self.request.user, item, separation=False)) is not None:
            raise PermissionDenied(refusal)
        return item

    def facts(self):
        return [*super().facts(), (_("Look-back due on"), self.look_back.due_date)]

    def perform(self, **data):
        services.look_back_record(user=self.request.user, look_back=self.look_back, **data)
        return self.item


class _MeasureStep(_ItemStep):
    model = Measure

    @property
    def item(self) -> RectificationItem:
        return self.object.item

    def get_queryset(self):
        return super().get_queryset().select_related("item")

    def facts(self):
        return [
            (Measure._meta.get_field("description").verbose_name, self.object.description),
            (Measure._meta.get_field("owner_unit").verbose_name, self.object.owner_unit),
            (Measure._meta.get_field("due_on").verbose_name, self.object.due_on),
        ]

    @property
    def subject(self):
        return self.item

    def get_success_url(self):
        return self.item.get_absolute_url()


class ProgressNoteAddView(_MeasureStep):
    form_class = ProgressNoteForm
    roles = PROGRESS_WRITERS
    title = gettext_lazy("Note the progress of a measure")
    success_message = gettext_lazy("The progress is noted.")

    def get_object(self):
        measure = super().get_object()
        user = self.request.user
        if role_of(user) == Role.VILLAGE_CLERK and measure.owner_user_id != user.pk:
            raise PermissionDenied
        return measure

    def perform(self, *, text):
        return services.progress_note_add(user=self.request.user, measure=self.object, text=text)


class MeasureDoneView(_MeasureStep):
    form_class = MeasureDoneForm
    title = gettext_lazy("Mark the measure done")
    success_message = gettext_lazy("The measure is marked done.")
    date_fields = ("done_on",)

    def perform(self, *, done_on):
        return services.measure_done(user=self.request.user, measure=self.object, done_on=done_on)


# --- Evidence download --------------------------------------------------------------------------------------------


class EvidenceDownloadView(_Items, View):
    """The file, to a user who reaches its item and whose post reads evidence; never served as a static file."""

    def get(self, request, pk):
        evidence = get_object_or_404(audits_scope(request.user, Access.VIEW, Evidence.objects.all()), pk=pk)
        if not may_act(request.user, EVIDENCE_READERS):
            raise PermissionDenied
        try:
            file = evidence.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = FileResponse(
            file, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- Scorecards ---------------------------------------------------------------------------------------------------


class ScorecardView(_Items, TemplateView):
    template_name = "audits/ledger/scorecards.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        year = query_year(self.request.GET, default=today.year)
        cards, district = selectors.item_scorecards(user=self.request.user, year=year)
        return super().get_context_data(
            cards=cards, district=district, year=year, years=range(today.year, today.year - 6, -1), **kwargs
        )


urlpatterns = [
    path("ledger/", ItemListView.as_view(), name="item_list"),
    path("ledger/new/", ItemRaiseView.as_view(), name="item_raise"),
    path("ledger/scorecards/", ScorecardView.as_view(), name="scorecards"),
    path("ledger/<int:pk>/", ItemDetailView.as_view(), name="item_detail"),
    path("ledger/<int:pk>/edit/", ItemUpdateView.as_view(), name="item_update"),
    path("ledger/<int:pk>/measures/new/", MeasureAddView.as_view(), name="measure_add"),
    path("ledger/<int:pk>/evidence/new/", EvidenceUploadView.as_view(), name="evidence_upload"),
    path("ledger/<int:pk>/close-off/", CloseOffRequestView.as_view(), name="close_off_request"),
    path("ledger/<int:pk>/verify/", CloseOffVerifyView.as_view(), name="close_off_verify"),
    path("ledger/<int:pk>/look-back/", LookBackRecordView.as_view(), name="look_back_record"),
    path("ledger/measures/<int:pk>/progress/", ProgressNoteAddView.as_view(), name="progress_note_add"),
    path("ledger/measures/<int:pk>/done/", MeasureDoneView.as_view(), name="measure_done"),
    path("ledger/evidence/<int:pk>/", EvidenceDownloadView.as_view(), name="evidence_download"),
]
