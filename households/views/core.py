"""The household file: list, page, create and edit households and their members, ID numbers, export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, View

from households import exports
from households.choices import HouseholdStatus, Relation
from households.forms import HouseholdForm, MemberForm
from households.id_numbers import id_number_mask
from households.models import Household, IdNumberReveal, Member
from households.permissions import REVEAL_LOG_READERS, households_scope, may_reveal_id_numbers
from households.sections import DetailSection
from households.services.files import household_save, id_number_reveal, member_save
from households.views.base import PAGE_SIZE, HouseholdScopedMixin
from organisation.access import RoleRequiredMixin
from organisation.forms import service_errors_to_form
from organisation.scoping import Access, towns_for


def household_list_queryset(request):
    """The scoped households matching the list's search and filters (also what the export writes)."""
    queryset = households_scope(request.user).select_related("village__town")
    params = request.GET
    if query := params.get("q", "").strip():
        queryset = queryset.filter(
            Q(file_number__icontains=query)
            | Q(members__name__icontains=query, members__relation=Relation.HEAD)
            | Q(members__id_number=query.upper())
        ).distinct()
    if (town := params.get("town", "")).isdigit():
        queryset = queryset.filter(village__town_id=town)
    if (village := params.get("village", "")).isdigit():
        queryset = queryset.filter(village_id=village)
    if (status := params.get("status", "")) in HouseholdStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("file_number")


class HouseholdListView(HouseholdScopedMixin, ListView):
    model = Household
    paginate_by = PAGE_SIZE
    template_name = "households/household_list.html"

    def get_queryset(self):
        heads = Member.objects.filter(relation=Relation.HEAD)
        return (
            household_list_queryset(self.request)
            .annotate(member_count=Count("members", distinct=True))
            .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["towns"] = towns_for(self.request.user)
        context["statuses"] = HouseholdStatus.choices
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


def detail_sections_all():
    from households.views import imports, lifecycle, quality, welfare

    return [
        *core_sections,
        *lifecycle.detail_sections,
        *welfare.detail_sections,
        *quality.detail_sections,
        *imports.detail_sections,
    ]


class HouseholdDetailView(HouseholdScopedMixin, DetailView):
    model = Household
    template_name = "households/household_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("village__town")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household, user = self.object, self.request.user
        context["can_change"] = households_scope(user, Access.CHANGE).filter(pk=household.pk).exists()
        # Each section renders with its own context plus what every section may need.
        shared = {"household": household, "can_change": context["can_change"]}
        context["sections"] = [
            {
                "section": section,
                "html": render_to_string(
                    section.template, {**shared, **section.context(household=household, user=user)}, self.request
                ),
            }
            for section in detail_sections_all()
        ]
        return context


class HouseholdFormView(HouseholdScopedMixin, FormView):
    """Create a household (no pk) or change one (pk), through ``household_save``."""

    model = Household
    access = Access.CHANGE
    form_class = HouseholdForm
    template_name = "households/household_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        if "pk" in kwargs and request.user.is_authenticated:
            self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form):
        try:
            household = household_save(user=self.request.user, household=self.object, **form.cleaned_data)
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Household %(file)s saved.") % {"file": household.file_number})
        return redirect(household)


class MemberFormView(HouseholdScopedMixin, FormView):
    """Add a member to a household (no member pk) or change one, through ``member_save``."""

    model = Household
    access = Access.CHANGE
    form_class = MemberForm
    template_name = "households/member_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.household = self.member = None
        if request.user.is_authenticated:
            self.household = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            if "member_pk" in kwargs:
                self.member = get_object_or_404(self.household.members, pk=kwargs["member_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.member}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "household": self.household, "object": self.member}

    def form_valid(self, form):
        try:
            member = member_save(
                user=self.request.user, household=self.household, member=self.member, **form.cleaned_data
            )
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Member %(name)s saved.") % {"name": member.name})
        return redirect(self.household)


class IdNumberRevealView(HouseholdScopedMixin, View):
    """POST only (htmx): the full ID number in place of the masked one, logged."""

    model = Member

    def post(self, request, pk):
        member = get_object_or_404(self.get_queryset(), pk=pk)
        number = id_number_reveal(user=request.user, member=member, context=request.headers.get("Referer", ""))
        return HttpResponse(f'<span class="font-monospace" data-testid="id-revealed">{number}</span>')


class HouseholdExportView(HouseholdScopedMixin, View):
    """The list as it is filtered, as xlsx; ID numbers masked unless the user may and asks to see them."""

    model = Household

    def get(self, request):
        full_ids = request.GET.get("full_ids") == "1" and may_reveal_id_numbers(request.user)
        workbook = exports.households_workbook(
            household_list_queryset(request), user=request.user, full_ids=full_ids, context=request.get_full_path()
        )
        response = HttpResponse(
            workbook, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="households.xlsx"'
        return response


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
    path("export/", HouseholdExportView.as_view(), name="household_export"),
    path("new/", HouseholdFormView.as_view(), name="household_create"),
    path("<int:pk>/", HouseholdDetailView.as_view(), name="household_detail"),
    path("<int:pk>/edit/", HouseholdFormView.as_view(), name="household_update"),
    path("<int:pk>/members/new/", MemberFormView.as_view(), name="member_create"),
    path("<int:pk>/members/<int:member_pk>/edit/", MemberFormView.as_view(), name="member_update"),
    path("members/<int:pk>/id-number/", IdNumberRevealView.as_view(), name="member_reveal_id"),
    path("id-number-reveals/", IdNumberRevealLogView.as_view(), name="reveal_log"),
]
