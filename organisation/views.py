from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView, UpdateView

from organisation.access import ScopedMixin
from organisation.forms import VillageForm
from organisation.scoping import Access, has_district_reach, towns_scope, villages_scope
from organisation.sorting import SortableListMixin, SortColumn

PAGE_SIZE = 25


class HomeView(LoginRequiredMixin, TemplateView):
    """What a user with no post yet may reach. Users with a post land on their level's dashboard, which the
    reporting app serves at the home address (``reporting.views.dashboards.HomeView``)."""

    record_free = True

    def get_template_names(self):
        if has_district_reach(self.request.user, Access.VIEW):
            return ["organisation/home_district.html"]
        return ["organisation/home_local.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["towns"] = towns_scope(self.request.user).annotate(village_count=Count("villages")).order_by("code")
        context["villages"] = villages_scope(self.request.user)[:PAGE_SIZE]
        return context


class TownListView(ScopedMixin, SortableListMixin, ListView):
    # The scope's queryset first (super() is ScopedMixin's), then its annotation, then the order asked for.
    scope = towns_scope
    paginate_by = PAGE_SIZE
    sort_columns = (
        SortColumn("name", ("name",)),
        SortColumn("kind", ("kind",)),
        SortColumn("code", ("code",)),
        SortColumn("villages", ("village_count",)),
    )
    template_name = "organisation/town_list.html"

    def get_queryset(self):
        queryset = super().get_queryset().annotate(village_count=Count("villages")).order_by("code")
        if query := self.request.GET.get("q", "").strip():
            queryset = queryset.filter(Q(name__icontains=query) | Q(code__icontains=query))
        return self.sorting.apply(queryset)


class TownDetailView(ScopedMixin, DetailView):
    scope = towns_scope
    template_name = "organisation/town_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["villages"] = villages_scope(self.request.user).filter(town=self.object)
        return context


class VillageListView(ScopedMixin, SortableListMixin, ListView):
    scope = villages_scope
    paginate_by = PAGE_SIZE
    sort_columns = (
        SortColumn("name", ("name",)),
        SortColumn("town", ("town__code",)),
        SortColumn("code", ("code",)),
        SortColumn("key_village", ("is_key_village",)),
    )
    template_name = "organisation/village_list.html"

    def get_queryset(self):
        queryset = super().get_queryset()
        if query := self.request.GET.get("q", "").strip():
            queryset = queryset.filter(Q(name__icontains=query) | Q(code__icontains=query))
        if town := self.request.GET.get("town", "").strip():
            queryset = queryset.filter(town_id=town) if town.isdigit() else queryset.none()
        return self.sorting.apply(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["towns"] = towns_scope(self.request.user)
        context["query"] = self.request.GET.get("q", "")
        context["town_filter"] = self.request.GET.get("town", "")
        return context


class VillageDetailView(ScopedMixin, DetailView):
    scope = villages_scope
    template_name = "organisation/village_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = villages_scope(self.request.user, Access.CHANGE).filter(pk=self.object.pk).exists()
        return context


class VillageUpdateView(ScopedMixin, UpdateView):
    scope = villages_scope
    access = Access.CHANGE
    form_class = VillageForm
    template_name = "organisation/village_form.html"

    def form_valid(self, form):
        messages.success(self.request, _("Village “%(name)s” saved.") % {"name": form.instance.name})
        return super().form_valid(form)
