"""Point 6: findings raised by the audit bureau and the discipline commission on funds records."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from funds.forms import FindingForm
from funds.models import SupervisionFinding
from funds.permissions import FINDING_ROLES, funds_scope
from funds.services.findings import SUBJECT_MODELS, finding_raise
from organisation.access import ScopedMixin
from organisation.scoping import Access, may_act
from organisation.sorting import SortableListMixin, SortColumn
from organisation.steps import ServiceFormView

PAGE_SIZE = 25


class FindingCreateView(ScopedMixin, ServiceFormView):
    """Raise a finding on the record named by ``kind`` and ``pk``, taken from the funds scope (404 outside it)."""

    scope = staticmethod(funds_scope)
    form_class = FindingForm
    template_name = "funds/findings/finding_form.html"
    success_message = gettext_lazy("The finding is recorded.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            model = SUBJECT_MODELS.get(kwargs["kind"])
            if model is None:
                raise Http404
            self.subject = get_object_or_404(
                funds_scope(request.user, Access.VIEW, model.objects.all()), pk=kwargs["pk"]
            )
            if not may_act(request.user, FINDING_ROLES):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, **kwargs)

    def perform(self, *, note):
        return finding_raise(user=self.request.user, subject=self.subject, note=note)

    def get_success_url(self):
        return self.subject.get_absolute_url()


class FindingListView(SortableListMixin, ScopedMixin, ListView):
    """Every finding raised, newest first, for the district's readers (the scope is empty for the towns)."""

    scope = staticmethod(funds_scope)
    sort_columns = (
        SortColumn("raised_at", ("raised_at",)),
        SortColumn("raised_by", ("raised_by__username",)),
    )
    paginate_by = PAGE_SIZE
    template_name = "funds/findings/finding_list.html"

    def get_queryset(self):
        findings = funds_scope(self.request.user, Access.VIEW, SupervisionFinding.objects.all()).select_related(
            "raised_by", "allocation", "transfer__allocation", "payment_request__village", "loan__borrower"
        )
        if (kind := self.request.GET.get("kind", "")) in SUBJECT_MODELS:
            findings = findings.filter(**{f"{kind}__isnull": False})
        if query := self.request.GET.get("q", "").strip():
            findings = findings.filter(
                Q(note__icontains=query)
                | Q(allocation__document_number__icontains=query)
                | Q(transfer__allocation__document_number__icontains=query)
                | Q(payment_request__project_name__icontains=query)
                | Q(loan__borrower__name__icontains=query)
            )
        return self.sorting.apply(findings)

    def get_context_data(self, **kwargs):
        kinds = [(name, model._meta.verbose_name) for name, model in SUBJECT_MODELS.items()]
        return super().get_context_data(kinds=kinds, **kwargs)


urlpatterns = [
    path("findings/", FindingListView.as_view(), name="finding_list"),
    path("findings/<str:kind>/<int:pk>/new/", FindingCreateView.as_view(), name="finding_create"),
]
