"""The household file: list, page, create and edit households and their members, ID numbers, export."""

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, View

from households.choices import HouseholdStatus, PovertyCause
from households.forms.files import HouseholdForm, MemberForm
from households.id_numbers import id_number_mask
from households.models import Household, IdNumberReveal, Member
from households.permissions import REVEAL_LOG_READERS, households_scope, may_reveal_id_numbers
from households.sections import DetailSection
from households.selectors.as_of import (
    HOUSEHOLD_CHANGES,
    HOUSEHOLD_FLAGS,
    STATUS_OUT,
)
from households.selectors.households import (
    household_filters,
    household_list_rows,
    household_member_counts,
    household_statuses_on,
)
from households.services.files import household_save, id_number_reveal, member_save
from households.views.base import PAGE_SIZE, HouseholdScopedMixin, household_tab_url
from organisation.access import RoleRequiredMixin
from organisation.scoping import Access, towns_for, villages_for
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView


class HouseholdListView(SortableListMixin, HouseholdScopedMixin, ListView):
    model = Household
    paginate_by = PAGE_SIZE
    template_name = "households/household_list.html"

    sort_columns = (
        SortColumn("file_number", ("file_number",)),
        SortColumn("town", ("village__town__code", "village__code", "file_number")),
        SortColumn("village", ("village__code", "file_number")),
        SortColumn("status", ("status", "file_number")),
        SortColumn("members", ("member_count", "file_number")),
    )

    def get_queryset(self):
        rows = household_list_rows(
            user=self.request.user,
            by_member_count=self.sorting.key == "members",
            **household_filters(self.request.GET),
        )
        return self.sorting.apply(rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = household_filters(self.request.GET)
        context["towns"] = towns_for(self.request.user)
        # The villages of the chosen town, or the village named alone (a figure's records).
        context["villages"] = (
            villages_for(self.request.user)
            .filter(Q(town_id=filters["town_id"]) | Q(pk=filters["village_id"]))
            .order_by("code")
            if filters["town_id"] is not None or filters["village_id"] is not None
            else []
        )
        context["statuses"] = [
            *HouseholdStatus.choices,
            (STATUS_OUT, _("Out of poverty (policies continue or ended)")),
        ]
        context["causes"] = PovertyCause.choices
        context["flags"] = [(flag.code, flag.label, flag.code in filters["flags"]) for flag in HOUSEHOLD_FLAGS]
        context["changes"] = [(change.code, change.label) for change in HOUSEHOLD_CHANGES]
        rows = list(context["object_list"])
        counts = household_member_counts(rows)
        for household in rows:
            household.member_count = counts[household.pk]
        if filters["on"] is not None:
            # The status on the day the list is taken as of.
            statuses = household_statuses_on(rows, filters["on"])
            for household in rows:
                household.shown_status = HouseholdStatus(statuses[household.pk]).label
        context["can_add"] = (
            households_scope(self.request.user, Access.CHANGE).exists()
            or towns_for(self.request.user, Access.CHANGE).exists()
        )
        return context


def _members_context(*, household, user):
    members = list(household.members.all())
    for member in members:
        member.masked_id = id_number_mask(member.id_number)
    return {"members": members, "may_reveal": may_reveal_id_numbers(user)}


core_sections = [
    DetailSection(
        key="members",
        label=gettext_lazy("Members"),
        template="households/members_section.html",
        context=_members_context,
    ),
]


def _history_context(*, household, user):
    return {}


# The History tab is the last section; the history_tab tag draws it.
history_section = DetailSection(
    key="history",
    label=gettext_lazy("History"),
    template="households/history_section.html",
    context=_history_context,
)


def detail_sections_all():
    from households.views import imports, lifecycle, quality, welfare

    return [
        *core_sections,
        *lifecycle.detail_sections,
        *welfare.detail_sections,
        *quality.detail_sections,
        *imports.detail_sections,
        history_section,
    ]


def _section_html(request, section: DetailSection, household: Household, *, can_change: bool) -> str:
    """One tab of the household page, with its own context plus what every section may need."""
    shared = {"household": household, "can_change": can_change}
    return render_to_string(
        section.template, {**shared, **section.context(household=household, user=request.user)}, request
    )


def _may_change(user, household: Household) -> bool:
    return households_scope(user, Access.CHANGE).filter(pk=household.pk).exists()


class _HouseholdShown(HouseholdScopedMixin, DetailView):
    """The household of the page and of its tabs, with its village and town (the page's heading)."""

    model = Household

    def get_queryset(self):
        return super().get_queryset().select_related("village__town")


class HouseholdDetailView(_HouseholdShown):
    """The household's file, and a tab for each section. A section is drawn when its tab is first shown (htmx, from
    ``HouseholdTabView``): drawing all of them took most of the page's 44 queries. ``?tab=<key>`` opens the page on
    that tab, drawn at once (the tab's link without JavaScript)."""

    template_name = "households/household_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household = self.object
        context["can_change"] = _may_change(self.request.user, household)
        sections = detail_sections_all()
        chosen = self.request.GET.get("tab")
        if chosen not in {section.key for section in sections}:
            chosen = None
        context["chosen"] = chosen
        context["sections"] = [
            {
                "section": section,
                "url": reverse("households:household_tab", args=[household.pk, section.key]),
                "html": _section_html(self.request, section, household, can_change=context["can_change"])
                if section.key == chosen
                else "",
            }
            for section in sections
        ]
        return context


class HouseholdTabView(_HouseholdShown):
    """One section of the household page, alone: what its tab loads when it is first shown (htmx). Opened as a page
    of its own (its address typed or shared), it sends to the household page open on that tab."""

    def get(self, request, *args, **kwargs):
        household = self.get_object()
        sections = {section.key: section for section in detail_sections_all()}
        section = sections.get(kwargs["key"])
        if section is None:
            raise Http404
        if not request.headers.get("HX-Request"):
            return redirect(household_tab_url(household.pk, section.key))
        return HttpResponse(
            _section_html(request, section, household, can_change=_may_change(request.user, household))
        )


class HouseholdFormView(HouseholdScopedMixin, ServiceFormView):
    """Create a household (no pk) or change one (pk), through ``household_save``."""

    model = Household
    access = Access.CHANGE
    form_class = HouseholdForm
    template_name = "households/household_form.html"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def perform(self, **data):
        return household_save(user=self.request.user, household=self.object, **data)

    def get_success_message(self, household):
        return _("Household %(file)s saved.") % {"file": household.file_number}


class MemberFormView(HouseholdScopedMixin, ServiceFormView):
    """Add a member to a household (no member pk) or change one, through ``member_save``."""

    model = Household
    access = Access.CHANGE
    form_class = MemberForm
    template_name = "households/member_form.html"

    def get_object(self):
        """The member (None for a new one), of the household taken first from the scope."""
        self.household = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if "member_pk" not in self.kwargs:
            return None
        return get_object_or_404(self.household.members, pk=self.kwargs["member_pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "household": self.household, "object": self.object}

    def perform(self, **data):
        return member_save(user=self.request.user, household=self.household, member=self.object, **data)

    def get_success_message(self, member):
        return _("Member %(name)s saved.") % {"name": member.name}

    def get_success_url(self):
        return self.household.get_absolute_url()


class IdNumberRevealView(HouseholdScopedMixin, View):
    """POST only (htmx): the full ID number in place of the masked one, logged with the page it was shown on, which
    the server knows (the household's page holds the button), never the client's Referer, which it may forge."""

    model = Member

    def post(self, request, pk):
        member = get_object_or_404(self.get_queryset(), pk=pk)
        page = member.household.get_absolute_url()
        number = id_number_reveal(user=request.user, member=member, context=page)
        return HttpResponse(f'<span class="font-monospace" data-testid="id-revealed">{number}</span>')


class IdNumberRevealLogView(RoleRequiredMixin, ListView):
    """Who saw which full ID number, when and where: for the district office and the auditors."""

    allowed_roles = REVEAL_LOG_READERS
    paginate_by = PAGE_SIZE
    template_name = "households/reveal_log.html"

    def get_queryset(self):
        queryset = IdNumberReveal.objects.select_related("user", "member__household")
        if query := self.request.GET.get("q", "").strip():
            queryset = queryset.filter(
                Q(user__username__icontains=query) | Q(member__name__icontains=query) | Q(context__icontains=query)
            )
        return queryset


urlpatterns = [
    path("", HouseholdListView.as_view(), name="household_list"),
    path("new/", HouseholdFormView.as_view(), name="household_create"),
    path("<int:pk>/", HouseholdDetailView.as_view(), name="household_detail"),
    path("<int:pk>/tabs/<slug:key>/", HouseholdTabView.as_view(), name="household_tab"),
    path("<int:pk>/edit/", HouseholdFormView.as_view(), name="household_update"),
    path("<int:pk>/members/new/", MemberFormView.as_view(), name="member_create"),
    path("<int:pk>/members/<int:member_pk>/edit/", MemberFormView.as_view(), name="member_update"),
    path("members/<int:pk>/id-number/", IdNumberRevealView.as_view(), name="member_reveal_id"),
    path("id-number-reveals/", IdNumberRevealLogView.as_view(), name="reveal_log"),
]
