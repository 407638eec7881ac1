from django import forms

from organisation.models import Village


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "is_key_village"]
