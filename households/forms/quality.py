"""The filters of the data-quality problem list (point 19)."""

from django import forms
from django.utils.translation import gettext_lazy

from households.models import ProblemClass
from households.quality_rules import RULES
from households.selectors.quality import ProblemState
from organisation.models import Town, Village


class ProblemFilterForm(forms.Form):
    town = forms.ModelChoiceField(queryset=Town.objects.none(), required=False, label=gettext_lazy("Town"))
    problem_class = forms.ChoiceField(
        choices=[("", gettext_lazy("All classes")), *ProblemClass.choices], required=False, label=gettext_lazy("Class")
    )
    rule = forms.ChoiceField(required=False, label=gettext_lazy("Rule"))
    state = forms.ChoiceField(
        choices=[
            (ProblemState.OPEN, gettext_lazy("Open")),
            (ProblemState.RESOLVED, gettext_lazy("Resolved")),
            (ProblemState.ALL, gettext_lazy("Open and resolved")),
        ],
        required=False,
        label=gettext_lazy("State"),
    )
    q = forms.CharField(required=False, max_length=30, label=gettext_lazy("File number"))
    # A village's page links to its problems (a hidden filter: the page says which village it shows).
    village = forms.ModelChoiceField(queryset=Village.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, towns, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        if villages is not None:
            self.fields["village"].queryset = villages
        self.fields["rule"].choices = [("", gettext_lazy("All rules")), *((r.code, r.label) for r in RULES)]
