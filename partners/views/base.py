"""What every page of the app shares: a list whose rows are cells (sortable headers, ``q`` search, pages), and a form
page on one template."""

from dataclasses import dataclass

from django.views.generic import ListView

from organisation.access import ScopedMixin
from organisation.sorting import SortableListMixin
from organisation.steps import ServiceFormView
from partners.permissions import partners_scope

PAGE_SIZE = 25


@dataclass(frozen=True)
class Cell:
    text: object
    url: str = ""
    end: bool = False  # numbers align right


@dataclass(frozen=True)
class Column:
    label: object
    key: str = ""  # a key of the view's sort_columns: the header sorts
    end: bool = False


class PartnersListView(SortableListMixin, ScopedMixin, ListView):
    """A list of the app: ``columns`` over ``cells(record)``, the rows from ``rows()`` (a selector's), sorted by the
    header the user chose, searched by ``q``, by pages."""

    scope = staticmethod(partners_scope)
    paginate_by = PAGE_SIZE
    template_name = "partners/list.html"
    title = ""
    columns: tuple[Column, ...] = ()
    search_placeholder = ""
    testid = "partners-table"

    def rows(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.sorting.apply(self.rows())

    def cells(self, record) -> list[Cell]:
        raise NotImplementedError

    def actions(self) -> list[tuple[str, str]]:
        """Buttons above the list: (label, url) the user may follow."""
        return []

    def filters(self) -> list[dict]:
        """Selects of the filter bar: {"name", "label", "options": [(value, label)]}."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selected = self.request.GET
        filters = [{**spec, "value": selected.get(spec["name"], "")} for spec in self.filters()]
        context.update(
            title=self.title,
            columns=self.columns,
            rows=[(record, self.cells(record)) for record in context["object_list"]],
            actions=self.actions(),
            filters=filters,
            search_placeholder=self.search_placeholder,
            testid=self.testid,
        )
        return context

    def query(self) -> str:
        return self.request.GET.get("q", "")


class PartnersFormView(ServiceFormView):
    """A form page of the app (the service's refusal on the form, nothing half-saved)."""

    template_name = "partners/form.html"
    title = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)
