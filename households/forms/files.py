"""Forms of the household file: a household and its members."""

from django import forms
from django.utils.translation import gettext as _

from households.choices import PovertyCause
from households.id_numbers import id_number_mask
from households.models import Household, Member
from organisation.forms import StyledFormMixin
from organisation.scoping import Access, villages_for


class HouseholdForm(StyledFormMixin, forms.ModelForm):
    other_causes = forms.MultipleChoiceField(
        choices=PovertyCause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Household
        fields = [
            "file_number", "village", "group", "address", "phone", "bank_name", "bank_account",
            "identification_standard", "attribute", "main_cause", "other_causes", "year_identified",
            "food_and_clothing_secure", "house_area", "house_structure", "house_year_built", "water_source",
            "drinking_water_difficult",
        ]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_for(user, Access.CHANGE).select_related("town").order_by("code")
        self.fields["village"].label_from_instance = lambda village: f"{village.town.name} {village.name}"
        self.fields["other_causes"].label = Household._meta.get_field("other_causes").verbose_name


class MemberForm(StyledFormMixin, forms.ModelForm):
    """A new member's form asks for the ID number. An existing member's never writes the number into the page (only
    its masked form, as help): the field starts empty and takes a new number, and left empty keeps the recorded one.
    Seeing the full number stays the logged reveal of the household page."""

    class Meta:
        model = Member
        fields = [
            "name", "id_number", "relation", "ethnicity", "education", "school_stage", "health", "disability_grade",
            "labour_ability", "migrant_worker", "in_dibao", "medical_insurance", "pension_insurance", "dropout_risk",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        self.initial["id_number"] = ""
        field = self.fields["id_number"]
        field.required = False
        field.label = _("New resident ID number")
        field.help_text = _("Recorded: %(masked)s. Leave empty to keep it.") % {
            "masked": id_number_mask(self.instance.id_number)
        }
        field.widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and not data.get("id_number", "").strip():
            data.pop("id_number", None)
        return data

    def _post_clean(self):
        # The service checks the ID number and the one-person-one-household rule with the user's view of
        # the district; the model's own unique check would tell a township user where the person is.
        pass
