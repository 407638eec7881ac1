"""Forms of the property rights pages (point 3): typed input only; the rules are the services'
(``projects.services.rights``)."""

from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.permissions import households_scope
from organisation.forms import filter_field, model_field, styled
from organisation.models import Village
from organisation.scoping import towns_for
from projects.models import (
    AssetEncumbrance,
    BlacklistEntry,
    EncumbranceStatus,
    Enterprise,
    IncomeShare,
    IndustryProject,
    ProjectStatus,
    PropertyRightConfirmation,
)
from projects.permissions import projects_scope
from projects.selectors.rights import MISSING_ASSET_REGISTRATION, MISSING_CONFIRMATION, MISSING_THREE_ASSETS


class EnterpriseChoiceField(forms.ModelChoiceField):
    """Enterprises of the registry; a blacklisted one says so in its label (the service refuses it, saying why)."""

    def __init__(self, user, **kwargs):
        active = BlacklistEntry.objects.filter(enterprise=OuterRef("pk"), lifted_on__isnull=True)
        queryset = projects_scope(user, queryset=Enterprise.objects.all()).annotate(blacklisted=Exists(active))
        super().__init__(queryset.order_by("name"), **kwargs)

    def label_from_instance(self, obj):
        if getattr(obj, "blacklisted", False):
            return _("%(name)s (on the blacklist)") % {"name": obj.name}
        return obj.name


class HouseholdByFileNumberField(forms.ModelChoiceField):
    """A registered household typed by its file number (a town has too many for a drop-down)."""

    def __init__(self, user, **kwargs):
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("No registered household you reach has this file number.")}
        )
        super().__init__(
            households_scope(user).select_related("village"),
            to_field_name="file_number",
            widget=forms.TextInput,
            **kwargs,
        )


# --- One project's rights ----------------------------------------------------------------------------------------


class RightConfirmationForm(forms.Form):
    certificate_number = model_field(PropertyRightConfirmation, "certificate_number")
    confirmed_on = model_field(PropertyRightConfirmation, "confirmed_on")
    owner = model_field(PropertyRightConfirmation, "owner")

    def __init__(self, *args, project: IndustryProject, **kwargs):
        super().__init__(*args, **kwargs)
        confirmation = PropertyRightConfirmation.objects.filter(project=project).first()
        if confirmation is not None:
            self.initial.update(
                certificate_number=confirmation.certificate_number,
                confirmed_on=confirmation.confirmed_on,
                owner=confirmation.owner,
            )
        self.initial.setdefault("owner", project.ownership_holder)


class ThreeAssetsForm(forms.Form):
    number = model_field(IndustryProject, "three_assets_number", required=True)

    def __init__(self, *args, project: IndustryProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("number", project.three_assets_number)


class AssetRegistrationForm(forms.Form):
    number = model_field(IndustryProject, "asset_registration_number", required=True)
    registered_on = model_field(IndustryProject, "asset_registered_on", required=True)

    def __init__(self, *args, project: IndustryProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("number", project.asset_registration_number)
        self.initial.setdefault("registered_on", project.asset_registered_on or timezone.localdate())


class OperatorForm(forms.Form):
    """The operator is chosen among the enterprises (``operator_enterprise``) or the households the user reaches
    (``operator_household``); both fields are made in ``__init__`` because their choices depend on the user."""

    agreed_annual_income = model_field(IndustryProject, "agreed_annual_income", min_value=Decimal("0"))

    def __init__(self, *args, project: IndustryProject, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator_enterprise"] = styled(
            EnterpriseChoiceField(
                user,
                label=IndustryProject._meta.get_field("operator_enterprise").verbose_name,
                required=False,
                help_text=_("An enterprise on the blacklist cannot be named operator of a project."),
            )
        )
        self.fields["operator_household"] = styled(
            HouseholdByFileNumberField(
                user,
                label=IndustryProject._meta.get_field("operator_household").verbose_name,
                required=False,
                help_text=_(
                    "The file number of a registered household of the project's town; leave empty for an enterprise."
                ),
            )
        )
        self.order_fields(["operator_enterprise", "operator_household", "agreed_annual_income"])
        self.initial.setdefault("operator_enterprise", project.operator_enterprise_id)
        if project.operator_household_id:
            self.initial.setdefault("operator_household", project.operator_household.file_number)
        self.initial.setdefault("agreed_annual_income", project.agreed_annual_income)


class IncomeShareRowForm(forms.Form):
    """One beneficiary of the income right: a village of the town, or a household by its file number."""

    village = styled(forms.ModelChoiceField(Village.objects.none(), label=_("Village (collective)"), required=False))
    percent = model_field(IncomeShare, "percent", required=False)

    def __init__(self, *args, villages, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["household"] = styled(
            HouseholdByFileNumberField(user, label=_("or household (file number)"), required=False)
        )
        self.order_fields(["village", "household", "percent"])

    def clean(self):
        data = super().clean()
        village, household, percent = data.get("village"), data.get("household"), data.get("percent")
        if village is None and household is None:
            if percent is not None:
                raise forms.ValidationError(_("Choose a village or a household for this share."))
            return data
        if village is not None and household is not None:
            raise forms.ValidationError(_("A share is for a village or a household, not both."))
        if percent is None:
            self.add_error("percent", _("Give the share in percent."))
        return data

    def share(self) -> tuple | None:
        """(village or household, percent), or None for an empty row."""
        data = self.cleaned_data
        beneficiary = data.get("village") or data.get("household")
        return None if beneficiary is None else (beneficiary, data["percent"])


class BaseIncomeShareFormSet(forms.BaseFormSet):
    def shares(self) -> list[tuple]:
        return [share for form in self.forms if (share := form.share()) is not None]


IncomeShareFormSet = forms.formset_factory(IncomeShareRowForm, formset=BaseIncomeShareFormSet, extra=3)


def income_share_initial(project: IndustryProject) -> list[dict]:
    return [
        {
            "village": share.village_id,
            "household": share.household.file_number if share.household_id else None,
            "percent": share.percent,
        }
        for share in project.income_shares.select_related("household").order_by("pk")
    ]


# --- Mortgages and guarantees --------------------------------------------------------------------------------------


class EncumbranceRequestForm(forms.Form):
    kind = model_field(AssetEncumbrance, "kind")
    creditor = model_field(AssetEncumbrance, "creditor")
    amount = model_field(AssetEncumbrance, "amount", min_value=Decimal("0.01"))
    purpose = model_field(AssetEncumbrance, "purpose")
    requested_on = model_field(AssetEncumbrance, "requested_on")


class EncumbranceDecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the request")), (REFUSE, _("Refuse the request"))],
        widget=forms.RadioSelect,
    )
    decided_on = model_field(AssetEncumbrance, "decided_on", required=True)
    note = model_field(
        AssetEncumbrance, "decision_note", required=False, help_text=_("Required when the request is refused.")
    )


class EncumbranceReleaseForm(forms.Form):
    released_on = model_field(AssetEncumbrance, "released_on", required=True)


# --- Lists ---------------------------------------------------------------------------------------------------------


def _town_filter(towns) -> forms.ModelChoiceField:
    return filter_field(
        forms.ModelChoiceField(towns, label=_("Town or street"), required=False, empty_label=_("All towns"))
    )


class UnconfirmedFilterForm(forms.Form):
    missing = filter_field(
        forms.ChoiceField(
            label=_("Paperwork missing"),
            choices=[
                (MISSING_CONFIRMATION, _("Property-right confirmation")),
                (MISSING_THREE_ASSETS, _("Three-assets platform number")),
                (MISSING_ASSET_REGISTRATION, _("Asset preservation registration")),
            ],
            required=False,
        )
    )
    status = filter_field(
        forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *ProjectStatus.choices], required=False)
    )
    q = filter_field(forms.CharField(label=_("Project number or name"), required=False))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"] = _town_filter(towns)


class EncumbranceFilterForm(forms.Form):
    state = filter_field(
        forms.ChoiceField(
            label=_("Status"),
            choices=[
                ("active", _("Requested or in force")),
                *EncumbranceStatus.choices,
                ("all", _("All")),
            ],
            required=False,
        )
    )
    q = filter_field(forms.CharField(label=_("Project or creditor"), required=False))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"] = _town_filter(towns)


def filter_towns(user):
    """The towns a list may be filtered by: those the user reaches."""
    return towns_for(user).order_by("code")
