"""Pages of the welfare area: safety nets (points 8, 9), housing and water (point 10), education (point 11).

Every page takes its record from a scope function: households_scope through HouseholdScopedMixin for
household records, villages_scope/towns_scope for the village and town a record is entered for. A form
page loads its record with the change scope, so another town's user gets a 404 before any write.
"""

import datetime as dt

from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

from households.forms.welfare import (
    CareRoomForm,
    DibaoEndForm,
    DibaoEnrolmentForm,
    DropoutRiskForm,
    EducationAidForm,
    HospitalStayForm,
    HousingGradeForm,
    InsuranceEnrolForm,
    LeftBehindChildForm,
    RenovationPlanForm,
    RenovationPlanUpdateForm,
    WaterSampleForm,
    WaterSurveyForm,
)
from households.id_numbers import age_on
from households.models import (
    DibaoEnrolment,
    HospitalStay,
    Household,
    LeftBehindChild,
    Member,
    RenovationPlan,
    WaterSupplySurvey,
)
from households.permissions import REFERENCE_CHECKERS, households_scope
from households.sections import DetailSection
from households.selectors import welfare as selectors
from households.services import welfare as services
from households.views.base import PAGE_SIZE, HouseholdScopedMixin, household_tab_url
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.forms import query_year
from organisation.models import Village
from organisation.scoping import Access, towns_scope, villages_for, villages_scope
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import StepFormView

# --- The shapes of the pages -----------------------------------------------------------------------------------


class WelfareStepView(StepFormView):
    """A form about one scoped record (``self.object``) that a welfare service acts on; a rule the service refuses
    shows on the form, the reference data's warnings (``flags``) above it.

    Subclasses derive from one of the scoped bases below, set ``title`` and ``form_class`` and call the service in
    ``perform``. ``shows_history`` pages change the record itself: they start from its values and show its history.
    """

    template_name = "households/welfare/step_form.html"
    success_message = gettext_lazy("Saved.")

    def get_initial(self):
        if not self.shows_history:
            return super().get_initial()
        return {name: getattr(self.object, name) for name in self.form_class.base_fields}

    def get_context_data(self, **kwargs):
        return super().get_context_data(flags=self.flags(), **kwargs)

    @property
    def subject(self) -> str:
        return str(self.object)

    def flags(self) -> list[str]:
        return []

    def get_back_url(self) -> str:
        return self.get_success_url()


class HouseholdRecordFormView(HouseholdScopedMixin, WelfareStepView):
    """The record (``model``) comes from households_scope with the change access."""

    access = Access.CHANGE


class VillageRecordFormView(ScopedMixin, WelfareStepView):
    """A record entered for a village the user may change (villages_for with the change access)."""

    scope = staticmethod(villages_scope)
    access = Access.CHANGE

    @property
    def subject(self):
        return f"{self.object.town} · {self.object}"


def member_subject(member: Member) -> str:
    return _("%(name)s, household %(file_number)s") % {"name": member.name, "file_number": member.household}


class TownFilterMixin:
    """A ``?town=`` filter over the towns the user reaches; naming any other town is a 404. A list that sets
    ``filters_village`` also takes ``?village=`` (a village the user reaches, else a 404), and one that sets
    ``as_of_filter`` takes ``?on=`` (the day the list is taken as of, e.g. a month's last day from a figure)."""

    filters_village = False
    as_of_filter = False

    def town_filter(self):
        value = self.request.GET.get("town", "").strip()
        if not value:
            return None
        town = selectors.towns_reached(self.request.user).filter(pk=value).first() if value.isdigit() else None
        if town is None:
            raise Http404
        return town

    def village_filter(self):
        value = self.request.GET.get("village", "").strip()
        if not (self.filters_village and value):
            return None
        village = villages_for(self.request.user, Access.VIEW).filter(pk=value).first() if value.isdigit() else None
        if village is None:
            raise Http404
        return village

    def on_filter(self) -> dt.date | None:
        if not self.as_of_filter:
            return None
        try:
            return dt.date.fromisoformat(self.request.GET.get("on", "").strip())
        except ValueError:
            return None

    def get_context_data(self, **kwargs):
        town, village = self.request.GET.get("town", ""), self.request.GET.get("village", "")
        villages = Village.objects.none()
        if self.filters_village and (town.isdigit() or village.isdigit()):
            # The villages of the chosen town, or the village named alone (a figure's records).
            chosen = Q(town_id=int(town)) if town.isdigit() else Q(pk=int(village))
            villages = villages_for(self.request.user, Access.VIEW).filter(chosen).order_by("code")
        return super().get_context_data(
            towns=selectors.towns_reached(self.request.user),
            town_filter=town,
            villages=villages,
            village_filter=village,
            as_of_filter=self.as_of_filter,
            on_filter=self.request.GET.get("on", ""),
            query=self.request.GET.get("q", ""),
            **kwargs,
        )


def change_village_ids(user, villages) -> set[int]:
    return set(villages_for(user, Access.CHANGE).filter(pk__in=[v.pk for v in villages]).values_list("pk", flat=True))


# --- Point 8: dibao ---------------------------------------------------------------------------------------------


class DibaoEnrolmentAddView(HouseholdRecordFormView):
    model = Household
    form_class = DibaoEnrolmentForm
    title = gettext_lazy("Enrol in the rural minimum living allowance (dibao)")
    success_message = gettext_lazy("Dibao enrolment recorded.")

    def flags(self):
        return [check.message for check in selectors.dibao_year_flags()]

    def perform(self, **data):
        services.dibao_enrolment_add(user=self.request.user, household=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.pk, "safety-nets")


class DibaoEnrolmentEndView(HouseholdRecordFormView):
    model = DibaoEnrolment
    form_class = DibaoEndForm
    shows_history = True
    title = gettext_lazy("End a dibao enrolment")
    success_message = gettext_lazy("Dibao enrolment ended.")

    def get_initial(self):
        return {"ends_on": self.object.ends_on or timezone.localdate()}

    def perform(self, **data):
        services.dibao_enrolment_end(user=self.request.user, enrolment=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.household_id, "safety-nets")


class ReferenceChecksView(RoleRequiredMixin, TemplateView):
    """The district's yearly reference data against points 8 and 9."""

    allowed_roles = REFERENCE_CHECKERS
    template_name = "households/welfare/reference_checks.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            dibao_checks=selectors.dibao_year_checks(),
            insurance_checks=selectors.insurance_year_checks(),
            **kwargs,
        )


# --- Point 9: special poverty insurance and hospital stays -----------------------------------------------------


class InsuranceFlagsMixin:
    def flags(self):
        return [check.message for check in selectors.insurance_year_flags()]


class InsuranceEnrolHouseholdView(InsuranceFlagsMixin, HouseholdRecordFormView):
    model = Household
    form_class = InsuranceEnrolForm
    title = gettext_lazy("Enrol the household in the special poverty insurance")

    def perform(self, *, scheme):
        count = services.insurance_enrol_household(user=self.request.user, household=self.object, scheme=scheme)
        self.success_message = _("%(count)d members enrolled for %(year)d.") % {"count": count, "year": scheme.year}

    def get_success_url(self):
        return household_tab_url(self.object.pk, "safety-nets")


class InsuranceEnrolTownView(InsuranceFlagsMixin, ScopedMixin, WelfareStepView):
    """Enrol every eligible member of a town's households for a year, in one statement."""

    scope = staticmethod(towns_scope)
    access = Access.CHANGE
    form_class = InsuranceEnrolForm
    title = gettext_lazy("Enrol the town's households in the special poverty insurance")

    def households(self):
        return households_scope(self.request.user, Access.CHANGE).filter(village__town=self.object)

    def notes(self):
        count = selectors.insurance_eligible_members(self.households()).count()
        return [
            _(
                "%(count)d members of %(town)s belong to households not yet out of poverty or out with policies "
                "continuing; those not yet enrolled in the chosen year will be enrolled."
            )
            % {"count": count, "town": self.object.name}
        ]

    def perform(self, *, scheme):
        count = services.insurance_enrol_households(
            user=self.request.user, scheme=scheme, households=self.households()
        )
        self.success_message = _("%(count)d members enrolled for %(year)d.") % {"count": count, "year": scheme.year}

    def get_success_url(self):
        return self.request.path


class HospitalStayAddView(HouseholdRecordFormView):
    model = Member
    form_class = HospitalStayForm
    title = gettext_lazy("Record a hospital stay")
    success_message = gettext_lazy("Hospital stay recorded.")

    @property
    def subject(self):
        return member_subject(self.object)

    def perform(self, **data):
        services.hospital_stay_add(user=self.request.user, member=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.household_id, "safety-nets")


class HospitalStaysFlaggedView(SortableListMixin, TownFilterMixin, HouseholdScopedMixin, ListView):
    """Stays at designated hospitals with a self-paid share of 10% or more, per town."""

    model = HospitalStay
    sort_columns = (
        SortColumn("town", ("member__household__village__town__code",)),
        SortColumn("village", ("member__household__village__code",)),
        SortColumn("household", ("member__household__file_number",)),
        SortColumn("member", ("member__name",)),
        SortColumn("hospital", ("hospital",)),
        SortColumn("admitted_on", ("admitted_on",)),
        SortColumn("total_cost", ("total_cost",)),
        SortColumn("self_paid", ("self_paid",)),
        SortColumn("share", ("self_pay_share",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "households/welfare/hospital_stays_flagged.html"
    filters_village = as_of_filter = True

    def get_queryset(self):
        return self.sorting.apply(
            selectors.hospital_stays_flagged(
                user=self.request.user, town=self.town_filter(), village=self.village_filter(), on=self.on_filter()
            )
        )


# --- Point 10: housing ------------------------------------------------------------------------------------------


class HousingGradeView(HouseholdRecordFormView):
    model = Household
    form_class = HousingGradeForm
    title = gettext_lazy("Housing safety appraisal")
    success_message = gettext_lazy("Housing safety grade saved.")

    def get_initial(self):
        return {"housing_grade": self.object.housing_grade, "housing_appraised_on": self.object.housing_appraised_on}

    def perform(self, **data):
        services.housing_grade_set(user=self.request.user, household=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.pk, "housing-water")


class RenovationPlanAddView(HouseholdRecordFormView):
    model = Household
    form_class = RenovationPlanForm
    title = gettext_lazy("Plan the renovation of a dilapidated house")
    success_message = gettext_lazy("Renovation plan recorded.")

    def perform(self, **data):
        services.renovation_plan_add(user=self.request.user, household=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.pk, "housing-water")


class RenovationPlanUpdateView(HouseholdRecordFormView):
    model = RenovationPlan
    form_class = RenovationPlanUpdateForm
    shows_history = True
    title = gettext_lazy("Renovation plan")
    success_message = gettext_lazy("Renovation plan saved.")

    def perform(self, **data):
        services.renovation_plan_update(user=self.request.user, plan=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.household_id, "housing-water")


class UnsafeHousesView(SortableListMixin, TownFilterMixin, HouseholdScopedMixin, ListView):
    model = Household
    sort_columns = (
        SortColumn("town", ("village__town__code",)),
        SortColumn("village", ("village__code",)),
        SortColumn("household", ("file_number",)),
        SortColumn("grade", ("housing_grade",)),
        SortColumn("appraised_on", ("housing_appraised_on",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "households/welfare/unsafe_houses.html"
    filters_village = as_of_filter = True

    def get_queryset(self):
        return self.sorting.apply(
            selectors.unsafe_houses_without_plan(
                user=self.request.user, town=self.town_filter(), village=self.village_filter(), on=self.on_filter()
            )
        )


class RenovationPlansOverdueView(SortableListMixin, TownFilterMixin, HouseholdScopedMixin, ListView):
    model = RenovationPlan
    sort_columns = (
        SortColumn("town", ("household__village__town__code",)),
        SortColumn("village", ("household__village__code",)),
        SortColumn("household", ("household__file_number",)),
        SortColumn("planned_start", ("planned_start",)),
        SortColumn("planned_completion", ("planned_completion",)),
        SortColumn("subsidy", ("subsidy",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "households/welfare/renovation_plans_overdue.html"

    def get_queryset(self):
        return self.sorting.apply(selectors.renovation_plans_overdue(user=self.request.user, town=self.town_filter()))


# --- Point 10: drinking water -----------------------------------------------------------------------------------


class WaterRatesView(SortableListMixin, TownFilterMixin, ScopedMixin, ListView):
    """The four drinking-water rates per village for a year."""

    sort_columns = (
        SortColumn("town", ("town__code",)),
        SortColumn("village", ("code",)),
        SortColumn("samples", ("sample_count",)),
    )

    scope = staticmethod(villages_scope)
    paginate_by = PAGE_SIZE
    template_name = "households/welfare/water_rates.html"

    def year(self) -> int:
        if (chosen := query_year(self.request.GET)) is not None:
            return chosen
        latest = selectors.water_latest_year(villages=villages_for(self.request.user, Access.VIEW))
        return latest or timezone.localdate().year

    def get_queryset(self):
        self.selected_year = self.year()
        return self.sorting.apply(
            selectors.water_table(
                user=self.request.user,
                year=self.selected_year,
                town=self.town_filter(),
                query=self.request.GET.get("q", "").strip(),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(year=self.selected_year, **kwargs)
        villages = list(context["object_list"])
        changeable = change_village_ids(self.request.user, villages)
        context["rows"] = [
            (village, selectors.village_water_rates(village), village.pk in changeable) for village in villages
        ]
        return context


class WaterSurveyAddView(VillageRecordFormView):
    form_class = WaterSurveyForm
    title = gettext_lazy("Record a drinking-water supply survey")
    success_message = gettext_lazy("Water supply survey recorded.")

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def perform(self, **data):
        self.saved_year = services.water_survey_record(user=self.request.user, village=self.object, **data).year

    def get_back_url(self):
        return reverse("households:water_rates")

    def get_success_url(self):
        return f"{reverse('households:water_rates')}?year={self.saved_year}"


class WaterSurveyUpdateView(HouseholdRecordFormView):
    model = WaterSupplySurvey
    form_class = WaterSurveyForm
    shows_history = True
    title = gettext_lazy("Drinking-water supply survey")
    success_message = gettext_lazy("Water supply survey saved.")

    def perform(self, **data):
        services.water_survey_record(user=self.request.user, village=self.object.village, survey=self.object, **data)

    def get_success_url(self):
        return f"{reverse('households:water_rates')}?year={self.object.year}"


class WaterSampleAddView(VillageRecordFormView):
    form_class = WaterSampleForm
    title = gettext_lazy("Record a drinking-water sample")
    success_message = gettext_lazy("Water sample recorded.")

    def perform(self, **data):
        self.saved_year = services.water_sample_record(
            user=self.request.user, village=self.object, **data
        ).sampled_on.year

    def get_back_url(self):
        return reverse("households:water_rates")

    def get_success_url(self):
        return f"{reverse('households:water_rates')}?year={self.saved_year}"


# --- Point 11: education ----------------------------------------------------------------------------------------


class EducationAidAddView(HouseholdRecordFormView):
    model = Member
    form_class = EducationAidForm
    title = gettext_lazy("Record education aid")
    success_message = gettext_lazy("Education aid recorded.")

    @property
    def subject(self):
        return member_subject(self.object)

    def perform(self, **data):
        services.education_aid_add(user=self.request.user, member=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.household_id, "education")


class DropoutRiskView(HouseholdRecordFormView):
    model = Member
    form_class = DropoutRiskForm
    title = gettext_lazy("Dropout risk")
    success_message = gettext_lazy("Dropout risk saved.")

    @property
    def subject(self):
        return member_subject(self.object)

    def get_initial(self):
        return {"dropout_risk": self.object.dropout_risk}

    def perform(self, **data):
        services.dropout_risk_set(user=self.request.user, member=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.household_id, "education")


class SchoolAgeAtRiskView(SortableListMixin, TownFilterMixin, HouseholdScopedMixin, ListView):
    """Members aged 6 to 15 not in school or at risk of dropping out."""

    model = Member
    sort_columns = (
        SortColumn("town", ("household__village__town__code",)),
        SortColumn("village", ("household__village__code",)),
        SortColumn("household", ("household__file_number",)),
        SortColumn("name", ("name",)),
        # The older the member, the earlier the birth date.
        SortColumn("age", ("-birth_date",)),
        SortColumn("school_stage", ("school_stage",)),
        SortColumn("dropout_risk", ("dropout_risk",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "households/welfare/school_age_at_risk.html"
    filters_village = as_of_filter = True

    def get_queryset(self):
        return self.sorting.apply(
            selectors.school_age_at_risk(
                user=self.request.user, town=self.town_filter(), village=self.village_filter(), on=self.on_filter()
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = self.on_filter() or timezone.localdate()
        context["rows"] = [(member, age_on(member.birth_date, today)) for member in context["object_list"]]
        return context


class LeftBehindChildAddView(HouseholdRecordFormView):
    model = Member
    form_class = LeftBehindChildForm
    title = gettext_lazy("Open a left-behind child's file")
    success_message = gettext_lazy("Left-behind child's file saved.")

    def get(self, request, *args, **kwargs):
        if child := LeftBehindChild.objects.filter(member=self.object).first():
            return HttpResponseRedirect(reverse("households:left_behind_update", args=[child.pk]))
        return super().get(request, *args, **kwargs)

    @property
    def subject(self):
        return member_subject(self.object)

    def perform(self, **data):
        services.left_behind_child_save(user=self.request.user, member=self.object, **data)

    def get_success_url(self):
        return household_tab_url(self.object.household_id, "education")


class LeftBehindChildUpdateView(HouseholdRecordFormView):
    model = LeftBehindChild
    form_class = LeftBehindChildForm
    shows_history = True
    title = gettext_lazy("Left-behind child's file")
    success_message = gettext_lazy("Left-behind child's file saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("member__household")

    @property
    def subject(self):
        return member_subject(self.object.member)

    def perform(self, **data):
        services.left_behind_child_save(user=self.request.user, member=self.object.member, **data)

    def get_success_url(self):
        return household_tab_url(self.object.member.household_id, "education")


class ContactCardView(HouseholdScopedMixin, DetailView):
    """The left-behind child's contact card, laid out for printing."""

    model = LeftBehindChild
    template_name = "households/welfare/contact_card.html"

    def get_queryset(self):
        return super().get_queryset().select_related("member__household__village__town")

    def get_context_data(self, **kwargs):
        child = self.object.member
        return super().get_context_data(age=age_on(child.birth_date, timezone.localdate()), **kwargs)


class CareRoomsMissingView(SortableListMixin, TownFilterMixin, ScopedMixin, ListView):
    """Key villages with no left-behind children's care room (point 11)."""

    sort_columns = (
        SortColumn("town", ("town__code",)),
        SortColumn("village", ("name",)),
        SortColumn("code", ("code",)),
    )

    scope = staticmethod(villages_scope)
    paginate_by = PAGE_SIZE
    template_name = "households/welfare/care_rooms_missing.html"
    filters_village = as_of_filter = True

    def get_queryset(self):
        return self.sorting.apply(
            selectors.key_villages_without_care_room(
                user=self.request.user,
                town=self.town_filter(),
                village=self.village_filter(),
                query=self.request.GET.get("q", "").strip(),
                on=self.on_filter(),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        villages = list(context["object_list"])
        changeable = change_village_ids(self.request.user, villages)
        context["rows"] = [(village, village.pk in changeable) for village in villages]
        return context


class CareRoomAddView(VillageRecordFormView):
    form_class = CareRoomForm
    title = gettext_lazy("Record a left-behind children's care room")
    success_message = gettext_lazy("Care room recorded.")

    def perform(self, **data):
        services.care_room_record(user=self.request.user, village=self.object, **data)

    def get_success_url(self):
        return reverse("households:care_rooms_missing")


# --- The household page's sections -----------------------------------------------------------------------------


# The household page adds ``can_change`` to every section's context (households/sections.py).
def safety_nets_context(*, household, user) -> dict:
    return selectors.household_safety_nets(household=household)


def housing_and_water_context(*, household, user) -> dict:
    return selectors.household_housing_and_water(household=household)


def education_context(*, household, user) -> dict:
    return selectors.household_education(household=household)


detail_sections = [
    DetailSection(
        key="safety-nets",
        label=gettext_lazy("Safety nets"),
        template="households/welfare/section_safety_nets.html",
        context=safety_nets_context,
    ),
    DetailSection(
        key="housing-water",
        label=gettext_lazy("Housing and water"),
        template="households/welfare/section_housing_water.html",
        context=housing_and_water_context,
    ),
    DetailSection(
        key="education",
        label=gettext_lazy("Education"),
        template="households/welfare/section_education.html",
        context=education_context,
    ),
]

urlpatterns = [
    # Safety nets (points 8, 9)
    path("safety-nets/households/<int:pk>/dibao/add/", DibaoEnrolmentAddView.as_view(), name="dibao_enrolment_add"),
    path("safety-nets/dibao/<int:pk>/end/", DibaoEnrolmentEndView.as_view(), name="dibao_enrolment_end"),
    path("safety-nets/reference-checks/", ReferenceChecksView.as_view(), name="reference_checks"),
    path(
        "safety-nets/households/<int:pk>/insurance/enrol/",
        InsuranceEnrolHouseholdView.as_view(),
        name="insurance_enrol_household",
    ),
    path("safety-nets/towns/<int:pk>/insurance/enrol/", InsuranceEnrolTownView.as_view(), name="insurance_enrol_town"),
    path("safety-nets/members/<int:pk>/hospital-stays/add/", HospitalStayAddView.as_view(), name="hospital_stay_add"),
    path("safety-nets/hospital-stays/flagged/", HospitalStaysFlaggedView.as_view(), name="hospital_stays_flagged"),
    # Housing (point 10)
    path("housing/households/<int:pk>/grade/", HousingGradeView.as_view(), name="housing_grade"),
    path("housing/households/<int:pk>/renovation/add/", RenovationPlanAddView.as_view(), name="renovation_plan_add"),
    path("housing/renovation/<int:pk>/", RenovationPlanUpdateView.as_view(), name="renovation_plan_update"),
    path("housing/renovation/overdue/", RenovationPlansOverdueView.as_view(), name="renovation_plans_overdue"),
    path("housing/unsafe-without-plan/", UnsafeHousesView.as_view(), name="unsafe_houses"),
    # Drinking water (point 10)
    path("water/", WaterRatesView.as_view(), name="water_rates"),
    path("water/villages/<int:pk>/surveys/add/", WaterSurveyAddView.as_view(), name="water_survey_add"),
    path("water/surveys/<int:pk>/", WaterSurveyUpdateView.as_view(), name="water_survey_update"),
    path("water/villages/<int:pk>/samples/add/", WaterSampleAddView.as_view(), name="water_sample_add"),
    # Education (point 11)
    path("education/members/<int:pk>/aid/add/", EducationAidAddView.as_view(), name="education_aid_add"),
    path("education/members/<int:pk>/dropout-risk/", DropoutRiskView.as_view(), name="dropout_risk"),
    path("education/at-risk/", SchoolAgeAtRiskView.as_view(), name="school_age_at_risk"),
    path("education/members/<int:pk>/left-behind/add/", LeftBehindChildAddView.as_view(), name="left_behind_add"),
    path("education/left-behind/<int:pk>/", LeftBehindChildUpdateView.as_view(), name="left_behind_update"),
    path("education/left-behind/<int:pk>/card/", ContactCardView.as_view(), name="contact_card"),
    path("education/care-rooms/missing/", CareRoomsMissingView.as_view(), name="care_rooms_missing"),
    path("education/villages/<int:pk>/care-room/add/", CareRoomAddView.as_view(), name="care_room_add"),
]
