"""The page of one step on one record (send a transfer, approve a project, lift a blacklisting …).

Every app's step pages share ``templates/step_form.html`` and this view: the record named above the form with
a few facts and notes, the dates of the step filled with today, the step done by its service, the service's
refusal shown on the form, nothing half-saved. Each app's base class loads ``self.object`` in ``dispatch``
with its own scope and permission rule, before any form is read.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.views.generic import FormView

from organisation.forms import service_errors_to_form


class StepFormView(FormView):
    """Subclasses set ``form_class``, ``title``, ``success_message`` and ``date_fields`` and do the step through its
    service in ``perform``, whose result ``form_valid`` keeps as ``self.result`` for the success URL and message."""

    template_name = "step_form.html"
    title = ""
    success_message = ""
    date_fields: tuple[str, ...] = ()
    result = None

    @property
    def subject(self):
        """What the step is about, named above the form: the record, unless a step says otherwise."""
        return self.object

    def get_initial(self):
        return {**super().get_initial(), **dict.fromkeys(self.date_fields, timezone.localdate())}

    def get_context_data(self, **kwargs):
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

    def form_valid(self, form):
        try:
            self.result = self.perform(**form.cleaned_data)
        except ValidationError as error:
            service_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(self.result))
        return HttpResponseRedirect(self.get_success_url())

    def perform(self, **data):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self):
        return self.subject.get_absolute_url()

    def get_back_url(self) -> str:
        """Where the subject and the Cancel link lead: the subject's own page unless a step says otherwise."""
        return self.subject.get_absolute_url()
