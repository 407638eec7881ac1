"""The form pages of every app: a form whose valid data one service acts on.

``ServiceFormView`` is every such page. The record it is about (``get_object``, none on a page that adds one) is
loaded before any form is read. ``perform(**data)`` calls the service and returns what it made or changed, kept as
``self.result``. A ``ValidationError`` the service raises shows on the form (``service_errors_to_form``) and, as
requests run in one transaction (``ATOMIC_REQUESTS``), nothing is half-saved; otherwise the success message and a
redirect, by default to the result's own page. A ``PermissionDenied`` is not caught: it is the 403 it says. The dates
named in ``date_fields`` start as today. A page with rows below its form (investments, shares) returns them from
``get_formset``: the form and every row must be valid before the service is called.

``ServiceActionView`` is a button that posts to one service (start a plan, distribute an income, run a job now):
the refusal is shown as error messages instead of on a form.

``StepFormView`` is the page of one step on one record (send a transfer, approve a project, record a hospital stay
…), on ``templates/step_form.html``: the record named above the form with a few facts and notes, the step done by
its service. The record comes from the page's scoped ``get_queryset``; each app's base class adds its own permission
rule.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from organisation.forms import service_errors_to_form


class ServiceFormView(FormView):
    """Subclasses set ``form_class``, ``template_name`` and ``success_message`` (or ``get_success_message``) and
    call their service in ``perform``."""

    success_message = ""
    date_fields: tuple[str, ...] = ()
    object = None
    result = None
    formset = None

    def dispatch(self, request, *args, **kwargs):
        # After the login and role checks of the mixins listed before this class, before any form is read.
        if request.user.is_authenticated:
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        """The record the page is about (``self.object``), or None for a page that adds one."""
        return None

    def get_initial(self):
        return {**super().get_initial(), **dict.fromkeys(self.date_fields, timezone.localdate())}

    def get_formset(self):
        """The rows below the form, bound to the post's data on a post; None for a page without rows."""
        return None

    def post(self, request, *args, **kwargs):
        form, self.formset = self.get_form(), self.get_formset()
        if form.is_valid() and (self.formset is None or self.formset.is_valid()):
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        if self.formset is None:
            self.formset = self.get_formset()
        if self.formset is not None:
            kwargs.setdefault("formset", self.formset)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            self.result = self.perform(**self.service_arguments(form))
        except ValidationError as error:
            self.show_service_errors(form, error)
            return self.form_invalid(form)
        if message := self.get_success_message(self.result):
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())

    def service_arguments(self, form) -> dict:
        """What the service is given: the form's cleaned data, unless a page says otherwise."""
        return form.cleaned_data

    def perform(self, **data):
        raise NotImplementedError

    def show_service_errors(self, form, error: ValidationError) -> None:
        service_errors_to_form(form, error)

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self):
        return self.result.get_absolute_url()


class StepFormView(ServiceFormView):
    """Subclasses set ``form_class``, ``title``, ``success_message`` and ``date_fields`` and do the step through its
    service in ``perform``. ``shows_history``: the step changes the record itself, whose history is shown beside the
    form."""

    template_name = "step_form.html"
    title = ""
    shows_history = False

    def get_object(self):
        """The record of the URL's ``pk`` from the page's scoped queryset, so one outside the user's reach is a 404.
        A base raises ``PermissionDenied`` here for a record the user reaches but may not act on."""
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @property
    def subject(self):
        """What the step is about, named above the form: the record, unless a step says otherwise."""
        return self.object

    def get_context_data(self, **kwargs):
        if self.shows_history:
            kwargs.setdefault("object", self.object)
        return super().get_context_data(
            title=self.get_title(),
            subject=self.subject,
            back_url=self.get_back_url(),
            facts=self.facts(),
            notes=self.notes(),
            **kwargs,
        )

    def get_title(self) -> str:
        return self.title

    def facts(self) -> list[tuple[str, object]]:
        """Lines about the record shown above the form."""
        return []

    def notes(self) -> list[str]:
        """Lines shown above the form (what the step will check, what it will do)."""
        return []

    def get_success_url(self):
        return self.subject.get_absolute_url()

    def get_back_url(self) -> str:
        """Where the subject and the Cancel link lead: the subject's own page unless a step says otherwise."""
        return self.subject.get_absolute_url()


class ServiceActionView(View):
    """Subclasses call their service in ``perform`` and say where the user goes next (``get_success_url``; after a
    refusal ``get_refused_url``, the same by default). A button that sends a value too names its ``form_class``: a
    value that does not validate is refused with ``invalid_message``, a valid one goes to ``perform``."""

    http_method_names = ["post"]
    form_class = None
    invalid_message = ""
    success_message = ""
    success_level = messages.SUCCESS
    result = None

    def post(self, request, *args, **kwargs):
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST)
            if not form.is_valid():
                messages.error(request, self.invalid_message)
                return HttpResponseRedirect(self.get_refused_url())
            data = form.cleaned_data
        try:
            self.result = self.perform(**data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(self.get_refused_url())
        messages.add_message(request, self.success_level, self.get_success_message(self.result))
        return HttpResponseRedirect(self.get_success_url())

    def perform(self, **data):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self) -> str:
        raise NotImplementedError

    def get_refused_url(self) -> str:
        return self.get_success_url()
