"""The district office's pages for the working-day calendar."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DeleteView, ListView, TemplateView

from organisation.access import RoleRequiredMixin
from organisation.calendar_forms import CalendarDayForm, CalendarYearLoadForm
from organisation.calendar_services import calendar_day_delete, calendar_day_save, calendar_year_load, schedule_text
from organisation.models import CalendarDay, CalendarYear
from organisation.models.calendar import FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR
from organisation.permissions import CALENDAR_KEEPERS
from organisation.steps import ServiceFormView
from organisation.workdays import PACKAGE_YEARS, WorkingCalendar, calendar_year_summaries


class CalendarOfficeMixin(RoleRequiredMixin):
    allowed_roles = CALENDAR_KEEPERS
    # The calendar belongs to the whole district, not to a town.
    record_free = True


class CalendarYearMixin:
    """Views of one year, taken from the URL; listed after CalendarOfficeMixin, so access is checked first."""

    def dispatch(self, request, *args, **kwargs):
        self.year = kwargs["year"]
        if not FIRST_CALENDAR_YEAR <= self.year <= LAST_CALENDAR_YEAR:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(year=self.year, **kwargs)


def calendar_year_url(year: int) -> str:
    return reverse("organisation:calendar_year", args=[year])


class CalendarOverviewView(CalendarOfficeMixin, TemplateView):
    template_name = "organisation/calendar_overview.html"

    def get_context_data(self, **kwargs):
        last_year = timezone.localdate().year + 1
        summaries = calendar_year_summaries(calendar=WorkingCalendar.load(), last_year=last_year)
        return super().get_context_data(
            summaries=sorted(summaries, key=lambda summary: summary.year, reverse=True),
            package_years=PACKAGE_YEARS,
            **kwargs,
        )


class CalendarYearView(CalendarOfficeMixin, CalendarYearMixin, ListView):
    template_name = "organisation/calendar_year.html"
    paginate_by = 60

    def get_queryset(self):
        return WorkingCalendar.load().special_days(self.year)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entry=CalendarYear.objects.filter(year=self.year).select_related("entered_by").first(),
            in_package=self.year in PACKAGE_YEARS,
            form=CalendarDayForm(initial={"date": f"{self.year}-01-01"}),
            **kwargs,
        )


class CalendarDayFormMixin:
    """Saves through the service (``ServiceFormView``); a rule it enforces shows on the form like any other error."""

    form_class = CalendarDayForm
    template_name = "organisation/calendar_day_form.html"

    def perform(self, **data):
        return calendar_day_save(day=self.object, user=self.request.user, **data)

    def get_success_message(self, day):
        return _("%(day)s saved; the deadlines it touches are being recomputed.") % {"day": day}

    def get_success_url(self):
        return calendar_year_url(self.result.date.year)


class CalendarDayCreateView(CalendarOfficeMixin, CalendarYearMixin, CalendarDayFormMixin, ServiceFormView):
    def get_initial(self):
        return {"date": f"{self.year}-01-01"}


class CalendarDayUpdateView(CalendarOfficeMixin, CalendarDayFormMixin, ServiceFormView):
    def get_object(self):
        return get_object_or_404(CalendarDay, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        # The form has not changed the instance's year yet on GET; after a failed POST, the saved row tells it.
        saved_year = CalendarDay.objects.values_list("date__year", flat=True).get(pk=self.object.pk)
        return super().get_context_data(object=self.object, year=saved_year, **kwargs)


class CalendarDayDeleteView(CalendarOfficeMixin, DeleteView):
    model = CalendarDay
    template_name = "organisation/calendar_day_confirm_delete.html"

    def form_valid(self, form):
        day = self.object
        calendar_day_delete(user=self.request.user, day=day)
        messages.success(self.request, _("%(day)s removed from the office's entries.") % {"day": day})
        return HttpResponseRedirect(calendar_year_url(day.date.year))


class CalendarYearLoadView(CalendarOfficeMixin, CalendarYearMixin, ServiceFormView):
    form_class = CalendarYearLoadForm
    template_name = "organisation/calendar_year_load.html"

    def get_initial(self):
        entry = CalendarYear.objects.filter(year=self.year).first()
        return {
            "lines_text": schedule_text(list(CalendarDay.objects.filter(date__year=self.year))),
            "source": entry.source if entry else "",
            "note": entry.note if entry else "",
        }

    def perform(self, **data):
        return calendar_year_load(year=self.year, user=self.request.user, **data)

    def get_success_message(self, result):
        return _("The schedule of %(year)d is entered; its deadlines are being recomputed.") % {"year": self.year}

    def get_success_url(self):
        return calendar_year_url(self.year)
