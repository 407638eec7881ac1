"""The typed input of the people-and-partners services, built with the field kit (``organisation.forms``)."""

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from households.models import Cadre
from organisation.forms import StyledFormMixin, choice_of, filter_field, model_field, styled
from organisation.models import Town, Village
from partners import models as m
from partners.rules import EVALUATION_MAX_CHARS


class DepartmentForm(forms.Form):
    name = model_field(m.Department, "name")
    sort_order = model_field(m.Department, "sort_order", required=False)


class PlanTargetForm(forms.Form):
    year = model_field(m.PlanTarget, "year")
    measure = model_field(m.PlanTarget, "measure")
    unit = model_field(m.PlanTarget, "unit")
    target = model_field(m.PlanTarget, "target")

    def clean_year(self):
        return int(self.cleaned_data["year"])


class ProgressForm(forms.Form):
    quarter = model_field(m.TargetProgress, "quarter")
    achieved = model_field(m.TargetProgress, "achieved")
    note = model_field(m.TargetProgress, "note", required=False)

    def clean_quarter(self):
        return int(self.cleaned_data["quarter"])


class PairingForm(forms.Form):
    department = choice_of(m.Department.objects.none(), _("sector department"))
    village = choice_of(Village.objects.none(), _("village"))
    starts_on = model_field(m.Pairing, "starts_on")
    ends_on = model_field(m.Pairing, "ends_on", required=False)

    def __init__(self, *args, departments, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["village"].queryset = villages


class EndForm(forms.Form):
    ends_on = styled(forms.DateField(label=_("to")))


class SupportForm(forms.Form):
    kind = model_field(m.PairingSupport, "kind")
    given_on = model_field(m.PairingSupport, "given_on")
    people = model_field(m.PairingSupport, "people", required=False)
    amount = model_field(m.PairingSupport, "amount", required=False)
    description = model_field(m.PairingSupport, "description", required=False)


class SecretaryForm(forms.Form):
    village = choice_of(Village.objects.none(), _("village"))
    name = model_field(m.FirstSecretary, "name")
    unit = model_field(m.FirstSecretary, "unit")
    post = model_field(m.FirstSecretary, "post")
    phone = model_field(m.FirstSecretary, "phone", required=False)
    starts_on = model_field(m.FirstSecretary, "starts_on")
    ends_on = model_field(m.FirstSecretary, "ends_on", required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class TeamMemberForm(forms.Form):
    name = model_field(m.WorkTeamMember, "name")
    unit = model_field(m.WorkTeamMember, "unit")
    post = model_field(m.WorkTeamMember, "post", required=False)
    phone = model_field(m.WorkTeamMember, "phone", required=False)


class SocialForceForm(forms.Form):
    name = model_field(m.SocialForce, "name")
    kind = model_field(m.SocialForce, "kind")
    contact = model_field(m.SocialForce, "contact", required=False)
    phone = model_field(m.SocialForce, "phone", required=False)


class ContributionForm(forms.Form):
    force = choice_of(m.SocialForce.objects.none(), _("social force"))
    kind = model_field(m.Contribution, "kind")
    given_on = model_field(m.Contribution, "given_on")
    amount = model_field(m.Contribution, "amount", required=False)
    hours = model_field(m.Contribution, "hours", required=False)
    description = model_field(m.Contribution, "description", required=False)
    town = choice_of(Town.objects.none(), _("town"))
    village = choice_of(Village.objects.none(), _("village"), required=False)

    def __init__(self, *args, forces, towns, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces
        self.fields["town"].queryset = towns
        self.fields["village"].queryset = villages


class ActivityForm(forms.Form):
    title = model_field(m.PovertyDayActivity, "title")
    held_on = model_field(m.PovertyDayActivity, "held_on")
    organiser = model_field(m.PovertyDayActivity, "organiser")
    participants = model_field(m.PovertyDayActivity, "participants", required=False)
    description = model_field(m.PovertyDayActivity, "description", required=False)


class CommendationForm(forms.Form):
    year = model_field(m.Commendation, "year")
    nominee_kind = model_field(m.Commendation, "nominee_kind")
    nominee = model_field(m.Commendation, "nominee")
    reason = model_field(m.Commendation, "reason")
    nominated_by = model_field(m.Commendation, "nominated_by")


class AttendanceForm(forms.Form):
    attended = forms.BooleanField(required=False)


class DecisionForm(forms.Form):
    approve = forms.BooleanField(required=False)


class RulesForm(forms.Form):
    title = model_field(m.ResponsibilityRules, "title")
    issued_on = model_field(m.ResponsibilityRules, "issued_on")
    text = model_field(m.ResponsibilityRules, "text", required=False)
    document = styled(forms.FileField(label=_("document"), required=False))


class ResponsibilityForm(forms.Form):
    level = model_field(m.Responsibility, "level")
    holder = model_field(m.Responsibility, "holder")
    duty = model_field(m.Responsibility, "duty")
    town = choice_of(Town.objects.none(), _("town"), required=False)
    village = choice_of(Village.objects.none(), _("village"), required=False)
    cadre = choice_of(Cadre.objects.none(), _("assistance cadre"), required=False)
    department = choice_of(m.Department.objects.none(), _("sector department"), required=False)

    def __init__(self, *args, towns, villages, cadres, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["village"].queryset = villages
        self.fields["cadre"].queryset = cadres
        self.fields["department"].queryset = departments


class TrainingForm(forms.Form):
    level = model_field(m.TrainingSession, "level")
    town = choice_of(Town.objects.none(), _("town"), required=False)
    topic = model_field(m.TrainingSession, "topic")
    title = model_field(m.TrainingSession, "title")
    held_on = model_field(m.TrainingSession, "held_on")
    place = model_field(m.TrainingSession, "place", required=False)
    staff = styled(forms.ModelMultipleChoiceField(queryset=User.objects.none(), label=_("staff"), required=False))
    cadres = styled(
        forms.ModelMultipleChoiceField(queryset=Cadre.objects.none(), label=_("assistance cadres"), required=False)
    )

    def __init__(self, *args, towns, staff, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["cadres"].queryset = cadres
        self.fields["staff"].widget.attrs["size"] = 8
        self.fields["cadres"].widget.attrs["size"] = 8


class ModerationForm(forms.Form):
    answer = model_field(m.PublicEvaluation, "answer", required=False)
    publish = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Publish")), ("0", _("Keep unpublished"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class PublicEvaluationForm(StyledFormMixin, forms.Form):
    """The public's form: what they think of a department's progress, or of the work in general."""

    department = forms.TypedChoiceField(label=_("sector department"), required=False, coerce=int, empty_value=None)
    text = forms.CharField(label=_("evaluation or comment"), max_length=EVALUATION_MAX_CHARS, widget=forms.Textarea)
    author = forms.CharField(label=_("your name (optional)"), max_length=50, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("In general")), *departments]
        self.fields["text"].widget.attrs["rows"] = 5


class SearchForm(forms.Form):
    q = filter_field(forms.CharField(label=_("Search")))
