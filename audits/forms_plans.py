"""The forms of the plan and engagement pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.models import AuditEngagement, PlannedInspection
from organisation.forms import choice_of, model_field, styled
from organisation.models import Town

SUBJECT_FIELDS = ("body", "subject_kind", "hop", "project_category")


class SubjectForm(forms.Form):
    """Who carries it out and what it covers: the town, fund flow or project category as the subject says."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self.model
        for name in SUBJECT_FIELDS:
            self.fields[name] = model_field(model, name)
        self.fields["hop"].required = self.fields["project_category"].required = False
        self.fields["town"] = choice_of(Town.objects.order_by("name"), _("Town"), required=False)


class PlanForm(SubjectForm):
    model = PlannedInspection
    year = model_field(PlannedInspection, "year")
    quarter = model_field(PlannedInspection, "quarter")
    title = model_field(PlannedInspection, "title")


class EngagementForm(SubjectForm):
    model = AuditEngagement
    title = model_field(AuditEngagement, "title")
    scope = model_field(AuditEngagement, "scope")
    team = model_field(AuditEngagement, "team")
    starts_on = model_field(AuditEngagement, "starts_on")
    ends_on = model_field(AuditEngagement, "ends_on")
    report = styled(forms.FileField(label=_("report"), required=False))

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned"] = choice_of(plans, _("planned as"), required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
