"""The overdue list: transfers past their due day and unsent, most days overdue first; on tabs of their own the
monthly reports and loan applications past theirs and the loans with a risk warning; and the district office's
"run the scan now".

The page costs a fixed number of queries whatever the number of records and the tab: the transfers' count and
total in one query, a count for each other tab (shown on the tabs), and the page of the tab shown.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from funds.forms import OverdueFilterForm
from funds.permissions import SCAN_RUNNERS, funds_scope, may_run_overdue_scan
from funds.selectors.overdue import (
    loan_risk_list,
    overdue_loan_application_list,
    overdue_report_list,
    overdue_today,
    overdue_totals,
    overdue_towns,
    overdue_transfer_list,
)
from funds.services.overdue import overdue_scan_request
from organisation.access import RoleRequiredMixin, ScopedMixin
from organisation.enqueue import request_reporter
from organisation.sorting import SortableListMixin, SortColumn

PAGE_SIZE = 25
TRANSFERS, REPORTS, APPLICATIONS, RISKS = "transfers", "reports", "applications", "risks"
TABS = {
    TRANSFERS: gettext_lazy("Transfers"),
    REPORTS: gettext_lazy("Monthly reports"),
    APPLICATIONS: gettext_lazy("Loan applications"),
    RISKS: gettext_lazy("Loan risk warnings"),
}


# Each tab's columns; the days overdue grow as the due date goes back.
DAYS_OVERDUE = SortColumn("days", ("-due_date",))
_LOAN_COLUMNS = (
    SortColumn("borrower", ("borrower__name",)),
    SortColumn("household", ("household__file_number",)),
    SortColumn("town", ("household__village__town__code",)),
    SortColumn("village", ("household__village__code",)),
)
SORT_COLUMNS = {
    TRANSFERS: (
        DAYS_OVERDUE,
        SortColumn("amount", ("amount",)),
        SortColumn("hop", ("hop",)),
        SortColumn("town", ("town__code",)),
        SortColumn("village", ("village__code",)),
        SortColumn("document", ("allocation__document_number",)),
        SortColumn("due_date", ("due_date",)),
    ),
    REPORTS: (
        DAYS_OVERDUE,
        SortColumn("town", ("town__code",)),
        SortColumn("month", ("month",)),
        SortColumn("due_date", ("due_date",)),
    ),
    APPLICATIONS: (
        DAYS_OVERDUE,
        SortColumn("amount", ("amount",)),
        *_LOAN_COLUMNS,
        SortColumn("due_date", ("due_date",)),
    ),
    RISKS: (
        SortColumn("risk", ("risk_band",)),
        *_LOAN_COLUMNS,
        SortColumn("flagged", ("risk_flagged_at",)),
    ),
}


class CountedPaginator(Paginator):
    """A paginator told its count (the page has counted already), so a page costs one query, not two."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def overdue_filtered(user, params):
    """The overdue list's filter form, its day and its overdue transfers for ``params`` (the query string): the page
    and its Excel export (``funds.list_exports``) read them the same way."""
    today = overdue_today()
    form = OverdueFilterForm(params, towns=overdue_towns(user=user))
    form.is_valid()
    if "town" in form.errors:
        # A town outside the user's reach is not there at all.
        raise Http404
    values = form.cleaned_data
    transfers = overdue_transfer_list(
        user=user,
        today=today,
        town=values.get("town"),
        hop=values.get("hop", ""),
        min_days=values.get("min_days"),
        document_number=values.get("q", "").strip(),
    )
    return form, today, transfers


class OverdueListView(SortableListMixin, ScopedMixin, ListView):
    """Every overdue record the user may see; a town's users see their town's, the district sees all."""

    scope = staticmethod(funds_scope)
    paginate_by = PAGE_SIZE
    paginator_class = CountedPaginator
    template_name = "funds/overdue/overdue_list.html"

    @property
    def sort_columns(self):
        """The shown tab's columns."""
        tab = self.request.GET.get("tab")
        return SORT_COLUMNS[tab if tab in TABS else TRANSFERS]

    def get_queryset(self):
        self.filter_form, self.today, transfers = overdue_filtered(self.request.user, self.request.GET)
        user, today, town = self.request.user, self.today, self.filter_form.cleaned_data.get("town")
        self.tab = self.request.GET.get("tab") if self.request.GET.get("tab") in TABS else TRANSFERS
        self.totals = overdue_totals(transfers)
        others = {
            REPORTS: overdue_report_list(user=user, today=today, town=town),
            APPLICATIONS: overdue_loan_application_list(user=user, today=today, town=town),
            RISKS: loan_risk_list(user=user, town=town),
        }
        self.counts = {TRANSFERS: self.totals.count, **{tab: rows.order_by().count() for tab, rows in others.items()}}
        return self.sorting.apply(transfers if self.tab == TRANSFERS else others[self.tab])

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return self.paginator_class(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            count=self.counts[self.tab],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.tab != RISKS:
            for row in context["object_list"]:
                row.days_overdue = (self.today - row.due_date).days
        town = self.filter_form.cleaned_data.get("town")
        context.update(
            today=self.today,
            tab=self.tab,
            tabs=[{"key": key, "label": label, "count": self.counts[key]} for key, label in TABS.items()],
            town_query=f"&town={town.pk}" if town else "",
            totals=self.totals,
            filter_form=self.filter_form,
            may_run_scan=may_run_overdue_scan(self.request.user),
        )
        return context


class OverdueScanRunView(RoleRequiredMixin, View):
    """ "Run the scan now": the hourly scan, queued at once (the list itself never waits for a scan)."""

    allowed_roles = SCAN_RUNNERS
    http_method_names = ["post"]

    def post(self, request):
        # Said once the queue has answered (after the request's transaction commits): queued, or waiting.
        queued = _("The overdue scan is queued; new flags and notices appear within a minute.")
        overdue_scan_request(user=request.user, **request_reporter(request, queued))
        return redirect("funds:overdue_list")


urlpatterns = [
    path("overdue/", OverdueListView.as_view(), name="overdue_list"),
    path("overdue/scan/", OverdueScanRunView.as_view(), name="overdue_scan_run"),
]
