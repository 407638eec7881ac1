"""Forms of the enterprises, agreements, blacklist and industrial parks pages (points 1 and 4): typed input only; the
rules are the services' (``projects.services.enterprises``, ``projects.services.parks``)."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.forms import filter_field, model_field, styled
from organisation.models import Town
from organisation.scoping import Access, may_act, towns_for
from projects.forms_rights import EnterpriseChoiceField
from projects.models import (
    AgreementFulfilment,
    AssistanceAgreement,
    BlacklistEntry,
    Enterprise,
    EnterpriseKind,
    IndustrialPark,
    IndustryProject,
)
from projects.permissions import DISTRICT_DECIDERS, projects_scope

# --- Enterprises -----------------------------------------------------------------------------------------------------


class EnterpriseForm(forms.Form):
    name = model_field(Enterprise, "name")
    kind = model_field(Enterprise, "kind")
    # No length limit here: the service says what is wrong with a code of another length.
    credit_code = styled(
        forms.CharField(
            label=Enterprise._meta.get_field("credit_code").verbose_name,
            help_text=Enterprise._meta.get_field("credit_code").help_text,
            required=False,
        )
    )
    legal_representative = model_field(Enterprise, "legal_representative")
    phone = model_field(Enterprise, "phone")
    address = model_field(Enterprise, "address")
    town = styled(forms.ModelChoiceField(Town.objects.none(), label=_("town"), required=False))

    def __init__(self, *args, user, instance: Enterprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        district = may_act(user, DISTRICT_DECIDERS)
        towns = towns_for(user, Access.CHANGE).order_by("code")
        self.fields["town"].queryset = towns
        self.fields["town"].required = not district
        self.fields["town"].help_text = (
            _("Where the enterprise is; leave empty for one outside the district.") if district else ""
        )
        if instance is not None:
            for name in self.fields:
                self.initial.setdefault(name, getattr(instance, name))
        elif not district and towns.count() == 1:
            self.initial.setdefault("town", towns.first())


class EnterpriseFilterForm(forms.Form):
    q = filter_field(forms.CharField(label=_("Name or credit code"), required=False))
    kind = filter_field(
        forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *EnterpriseKind.choices], required=False)
    )
    blacklisted = filter_field(
        forms.ChoiceField(
            label=_("Blacklist"),
            choices=[("", _("Blacklisted or not")), ("yes", _("On the blacklist")), ("no", _("Not on the blacklist"))],
            required=False,
        )
    )


# --- The blacklist ---------------------------------------------------------------------------------------------------


class BlacklistAddForm(forms.Form):
    reason = model_field(BlacklistEntry, "reason")
    decided_on = model_field(BlacklistEntry, "decided_on")


class BlacklistLiftForm(forms.Form):
    lifted_on = model_field(BlacklistEntry, "lifted_on", required=True)
    reason = model_field(BlacklistEntry, "lift_reason", required=True)


class BlacklistFilterForm(forms.Form):
    q = filter_field(forms.CharField(label=_("Enterprise, credit code or reason"), required=False))
    state = filter_field(
        forms.ChoiceField(
            label=_("State"),
            choices=[("", _("Active and lifted")), ("active", _("Active")), ("lifted", _("Lifted"))],
            required=False,
        )
    )


# --- Agreements ------------------------------------------------------------------------------------------------------


class AgreementForm(forms.Form):
    town = styled(forms.ModelChoiceField(Town.objects.none(), label=_("town")))
    project = styled(forms.ModelChoiceField(IndustryProject.objects.none(), label=_("project"), required=False))
    number = model_field(AssistanceAgreement, "number")
    signed_on = model_field(AssistanceAgreement, "signed_on")
    ends_on = model_field(AssistanceAgreement, "ends_on")
    jobs_committed = model_field(AssistanceAgreement, "jobs_committed")
    income_committed = model_field(AssistanceAgreement, "income_committed", min_value=Decimal("0"))
    purchases_committed = model_field(AssistanceAgreement, "purchases_committed", min_value=Decimal("0"))
    other_commitments = model_field(AssistanceAgreement, "other_commitments")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"] = styled(
            EnterpriseChoiceField(
                user,
                label=AssistanceAgreement._meta.get_field("enterprise").verbose_name,
                help_text=_("An enterprise on the blacklist cannot sign a new agreement."),
            )
        )
        self.order_fields(["enterprise"])
        towns = towns_for(user, Access.CHANGE).order_by("code")
        self.fields["town"].queryset = towns
        self.fields["project"].queryset = (
            projects_scope(user, Access.CHANGE).filter(town__in=towns).select_related("town").order_by("code")
        )
        if towns.count() == 1:
            self.initial.setdefault("town", towns.first())


class AgreementFilterForm(forms.Form):
    q = filter_field(forms.CharField(label=_("Enterprise, agreement or project number"), required=False))
    town = filter_field(
        forms.ModelChoiceField(
            Town.objects.none(), label=_("Town or street"), required=False, empty_label=_("All towns")
        )
    )
    breach = forms.BooleanField(label=_("With a breach only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user).order_by("code")


class FulfilmentForm(forms.Form):
    year = model_field(AgreementFulfilment, "year")
    jobs_provided = model_field(AgreementFulfilment, "jobs_provided")
    income_paid = model_field(AgreementFulfilment, "income_paid", min_value=Decimal("0"))
    purchases_made = model_field(AgreementFulfilment, "purchases_made", min_value=Decimal("0"))
    note = model_field(AgreementFulfilment, "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year - 1)


# --- Industrial parks ------------------------------------------------------------------------------------------------


class ParkForm(forms.Form):
    """A park's details; its town is chosen when it is created and stays."""

    town = styled(forms.ModelChoiceField(Town.objects.none(), label=_("town")))
    name = model_field(IndustrialPark, "name")
    established_on = model_field(IndustrialPark, "established_on")
    area_mu = model_field(IndustrialPark, "area_mu", min_value=Decimal("0.01"))
    leading_industry = model_field(IndustrialPark, "leading_industry")
    note = model_field(IndustrialPark, "note")

    def __init__(self, *args, user, instance: IndustrialPark | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["town"]
            for name in self.fields:
                self.initial.setdefault(name, getattr(instance, name))
            return
        towns = towns_for(user, Access.CHANGE).order_by("code")
        self.fields["town"].queryset = towns
        if towns.count() == 1:
            self.initial.setdefault("town", towns.first())


class ParkAssignForm(forms.Form):
    park = styled(forms.ModelChoiceField(IndustrialPark.objects.none(), label=_("industrial park"), required=False))

    def __init__(self, *args, parks, project: IndustryProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = parks
        self.fields["park"].empty_label = _("Not in a park")
        self.initial.setdefault("park", project.park_id)
