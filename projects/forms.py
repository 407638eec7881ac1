"""Forms of the industry projects' pages: typed input only; the rules are in ``projects.services``.

Labels are the models' verbose names where a field is a model's, so a field is named the same on the form, in its
error and in the history.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funds.models import Allocation
from funds.permissions import funds_scope
from households.permissions import households_scope
from organisation.forms import choice_of, date_field, filter_field, model_field, styled
from organisation.scoping import village_choices_wait_for_town
from projects.models import (
    Category,
    Enterprise,
    IndustrialPark,
    IndustryProject,
    Investment,
    Objection,
    Opinion,
    ProjectStatus,
    Publicity,
    ReviewDepartment,
    ReviewOpinion,
    StatusChange,
)
from projects.selectors.projects import RIGHTS_CONFIRMED, RIGHTS_UNCONFIRMED
from projects.services.proposals import EXISTING_STATES


def _village_label(village) -> str:
    return f"{village.town.name} {village.name}"


# --- A project: proposal, change, an existing project ------------------------------------------------------------


class ProjectFieldsForm(forms.Form):
    """What a project is. Built with the towns, villages, parks and households the user may choose from."""

    town = choice_of(None, IndustryProject._meta.get_field("town").verbose_name)
    villages = styled(
        forms.ModelMultipleChoiceField(
            None,
            label=IndustryProject._meta.get_field("villages").verbose_name,
            widget=forms.CheckboxSelectMultiple,
        )
    )
    name = model_field(IndustryProject, "name")
    category = model_field(IndustryProject, "category")
    park = choice_of(None, IndustryProject._meta.get_field("park").verbose_name, required=False)
    content = model_field(IndustryProject, "content")
    scale = model_field(IndustryProject, "scale")
    implementing_unit = model_field(IndustryProject, "implementing_unit")
    operator_enterprise = choice_of(
        Enterprise.objects.order_by("name"),
        IndustryProject._meta.get_field("operator_enterprise").verbose_name,
        required=False,
    )
    operator_household = styled(
        forms.CharField(
            label=IndustryProject._meta.get_field("operator_household").verbose_name,
            required=False,
            max_length=30,
            help_text=_("The household's file number, where a registered household runs the project."),
        )
    )

    def __init__(self, *args, user, towns, villages, fixed_town=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["town"].queryset = towns
        self.fields["villages"].queryset = villages
        self.fields["villages"].label_from_instance = _village_label
        self.fields["park"].queryset = IndustrialPark.objects.filter(town__in=towns).select_related("town")
        if fixed_town is not None:
            self.fields["town"].initial = fixed_town
            self.fields["town"].disabled = True

    def clean_operator_household(self):
        number = self.cleaned_data.get("operator_household", "").strip()
        if not number:
            return None
        household = households_scope(self.user).select_related("village").filter(file_number=number).first()
        if household is None:
            raise forms.ValidationError(_("No household with this file number in the towns you work for."))
        return household


class ProjectForm(ProjectFieldsForm):
    planned_start = model_field(IndustryProject, "planned_start")
    planned_completion = model_field(IndustryProject, "planned_completion")

    field_order = [
        "town",
        "villages",
        "name",
        "category",
        "park",
        "content",
        "scale",
        "implementing_unit",
        "planned_start",
        "planned_completion",
    ]


class ProjectProposeForm(ProjectForm):
    proposed_on = date_field(_("proposed on"))


class ExistingProjectForm(ProjectFieldsForm):
    """A project built before the system was in use, entered as completed or operating."""

    status = styled(
        forms.ChoiceField(
            label=IndustryProject._meta.get_field("status").verbose_name,
            choices=[(s.value, s.label) for s in EXISTING_STATES],
        )
    )
    construction_started_on = model_field(IndustryProject, "construction_started_on")
    completed_on = model_field(IndustryProject, "completed_on", required=True)
    operation_started_on = model_field(IndustryProject, "operation_started_on")
    three_assets_number = model_field(IndustryProject, "three_assets_number")
    note = model_field(StatusChange, "note")


class InvestmentForm(forms.Form):
    source = model_field(Investment, "source")
    amount = model_field(Investment, "amount")
    allocation = choice_of(None, Investment._meta.get_field("allocation").verbose_name, required=False)

    def __init__(self, *args, allocations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda a: f"{a.document_number} {a.title}"


# Empty rows are left out; the service checks every amount and that an allocation reached the project's town.
InvestmentFormSet = forms.formset_factory(InvestmentForm, extra=3)


def investment_initial(project: IndustryProject) -> list[dict]:
    return [
        {"source": i.source, "amount": i.amount, "allocation": i.allocation_id}
        for i in project.investments.order_by("pk")
    ]


def allocations_for_investment(user):
    """The allocations the user sees (those allotted to their town): money of a project may come from one."""
    return funds_scope(user, queryset=Allocation.objects.all()).order_by("-year", "document_number")


# --- The lifecycle moves ------------------------------------------------------------------------------------------


class MoveForm(forms.Form):
    """A status change: the day it happened, and a note (required where the move needs a reason)."""

    changed_on = date_field(StatusChange._meta.get_field("changed_on").verbose_name)
    note = model_field(StatusChange, "note")

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["note"].required = True
            self.fields["note"].label = _("reason")


# --- The joint review and the publicity ---------------------------------------------------------------------------


class OpinionForm(forms.Form):
    department = choice_of(None, ReviewOpinion._meta.get_field("department").verbose_name)
    opinion = styled(
        forms.ChoiceField(
            label=ReviewOpinion._meta.get_field("opinion").verbose_name,
            choices=Opinion.choices,
            widget=forms.RadioSelect,
        )
    )
    comments = model_field(
        ReviewOpinion,
        "comments",
        help_text=_("Required for a disagreement (the reasons) or an agreement with conditions (the conditions)."),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class ReturnForm(forms.Form):
    returned_on = date_field(_("returned on"))
    note = model_field(StatusChange, "note", help_text=_("Required when a project under publicity is returned."))


class PublicityOpenForm(forms.Form):
    starts_on = model_field(Publicity, "starts_on")


class ObjectionForm(forms.Form):
    received_on = model_field(Objection, "received_on")
    raised_by = model_field(
        Objection, "raised_by", help_text=_("Kept for the answer; never shown on the public page.")
    )
    content = model_field(Objection, "content")


class ObjectionAnswerForm(forms.Form):
    answered_on = model_field(Objection, "answered_on", required=True)
    answer = model_field(Objection, "answer", required=True)


class ApproveForm(forms.Form):
    approved_on = date_field(_("date of approval"))


# --- The list's filters -------------------------------------------------------------------------------------------

YES_NO = [("", "—"), ("yes", _("yes")), ("no", _("no"))]


class ProjectFilterForm(forms.Form):
    """Search and filters; a value that does not parse is ignored (the list is not filtered by it)."""

    q = filter_field(forms.CharField(label=_("Search"), max_length=100))
    town = filter_field(choice_of(None, _("Town or street"), empty_label=_("All towns")))
    village = filter_field(choice_of(None, _("Village"), empty_label=_("All villages")))
    status = filter_field(
        forms.ChoiceField(label=_("Status"), choices=[("", _("All states")), *ProjectStatus.choices])
    )
    category = filter_field(
        forms.ChoiceField(label=_("Category"), choices=[("", _("All categories")), *Category.choices])
    )
    in_park = filter_field(forms.ChoiceField(label=_("In an industrial park"), choices=YES_NO))
    encumbered = filter_field(forms.ChoiceField(label=_("Under mortgage or guarantee"), choices=YES_NO))
    rights = filter_field(
        forms.ChoiceField(
            label=_("Property right (built since 2014)"),
            choices=[
                ("", "—"),
                (RIGHTS_CONFIRMED, pgettext_lazy("property right", "confirmed")),
                (RIGHTS_UNCONFIRMED, pgettext_lazy("property right", "not confirmed")),
            ],
        )
    )
    as_of = filter_field(
        forms.DateField(
            label=_("As they stood on"),
            help_text=_("The projects that existed on the day, with their status and investment then."),
        )
    )
    received_from = filter_field(forms.DateField(label=_("Income received from")))
    received_to = filter_field(forms.DateField(label=_("Income received to")))

    def __init__(self, *args, towns, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["village"].queryset = villages
        village_choices_wait_for_town(self.fields["village"])
        self.fields["village"].label_from_instance = _village_label

    def filters(self) -> dict:
        """The valid filters, by the selector's argument names; an invalid one is dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "town": data.get("town"),
            "village": data.get("village"),
            "status": data.get("status") or "",
            "category": data.get("category") or "",
            "in_park": {"yes": True, "no": False}.get(data.get("in_park") or ""),
            "encumbered": {"yes": True, "no": False}.get(data.get("encumbered") or ""),
            "rights": data.get("rights") or "",
            "as_of": data.get("as_of"),
            "received_from": data.get("received_from"),
            "received_to": data.get("received_to"),
        }


def departments_for_opinions():
    return ReviewDepartment.objects.filter(is_member=True).order_by("sort_order", "name")
