"""Property rights and assets (point 3): the four rights, confirmation, the three-assets platform, asset
preservation registration, and the strictly controlled mortgage or guarantee on project assets.

Every function checks the user's role for the step (``may_act``) and reach (``projects_scope`` with change
access), locks the project or record it changes, and raises ``ValidationError`` naming the field or
``PermissionDenied``; a failure leaves nothing written.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households.models import Household
from organisation.locking import locked_in_reach
from organisation.models import Village
from organisation.money import ZERO
from organisation.validation import date_check, role_require, text_required
from projects.models import (
    AssetEncumbrance,
    EncumbranceKind,
    EncumbranceStatus,
    Enterprise,
    IncomeShare,
    IndustryProject,
    ProjectStatus,
    PropertyRightConfirmation,
)
from projects.permissions import (
    ASSET_KEEPERS,
    DISTRICT_DECIDERS,
    ENCUMBRANCE_RELEASERS,
    ENCUMBRANCE_REQUESTERS,
    OPERATOR_SETTERS,
    PROJECT_OUT_OF_REACH,
    projects_scope,
)
from projects.services.enterprises import enterprise_refuse_if_blacklisted

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
# A project is built once it is completed and accepted; a project entered as existing was built before.
BUILT_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.OPERATING, ProjectStatus.SUSPENDED, ProjectStatus.CONVERTED)


def project_is_built(project: IndustryProject) -> bool:
    return project.status in BUILT_STATUSES or project.entered_as_existing


# --- Ownership: the property-right confirmation ------------------------------------------------------------------


@transaction.atomic
def property_right_confirm(
    *, user: User, project: IndustryProject, certificate_number: str, confirmed_on: dt.date, owner: str
) -> PropertyRightConfirmation:
    """产权确认: record (or correct) the certificate confirming who owns a built project's assets.

    The owner confirmed becomes the project's ownership right.
    """
    role_require(user, ASSET_KEEPERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if not project_is_built(project):
        raise ValidationError(
            _("Only a built project (completed, operating, suspended or converted) has its property right confirmed.")
        )
    certificate_number = text_required(certificate_number, "certificate_number", _("Give the certificate number."))
    owner = text_required(owner, "owner", _("Name the owner the certificate confirms."))
    date_check(confirmed_on, "confirmed_on", after=(_("the day the project was completed"), project.completed_on))
    taken = PropertyRightConfirmation.objects.filter(certificate_number=certificate_number).exclude(project=project)
    if taken.exists():
        raise ValidationError(
            {
                "certificate_number": _("Certificate %(number)s is already recorded for another project.")
                % {"number": certificate_number}
            }
        )
    confirmation, _created = PropertyRightConfirmation.objects.update_or_create(
        project=project,
        defaults={
            "certificate_number": certificate_number,
            "confirmed_on": confirmed_on,
            "owner": owner,
            "recorded_by": user,
        },
    )
    if project.ownership_holder != owner:
        project.ownership_holder = owner
        project.save(update_fields=["ownership_holder"])
    return confirmation


# --- The three-assets platform and asset preservation registration -----------------------------------------------


@transaction.atomic
def three_assets_register(*, user: User, project: IndustryProject, number: str) -> IndustryProject:
    """三资平台: the project's number on the village collective asset register (needed before it operates)."""
    role_require(user, ASSET_KEEPERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    number = text_required(number, "number", _("Give the three-assets platform number."))
    if IndustryProject.objects.filter(three_assets_number=number).exclude(pk=project.pk).exists():
        raise ValidationError(
            {
                "number": _("Three-assets platform number %(number)s is already used by another project.")
                % {"number": number}
            }
        )
    project.three_assets_number = number
    project.save(update_fields=["three_assets_number"])
    return project


@transaction.atomic
def asset_register(*, user: User, project: IndustryProject, number: str, registered_on: dt.date) -> IndustryProject:
    """扶贫资产保全登记: the asset preservation registration that guards the project's assets against loss."""
    role_require(user, ASSET_KEEPERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    number = text_required(number, "number", _("Give the asset preservation registration number."))
    date_check(registered_on, "registered_on")
    if IndustryProject.objects.filter(asset_registration_number=number).exclude(pk=project.pk).exists():
        raise ValidationError(
            {
                "number": _("Asset preservation registration %(number)s is already used by another project.")
                % {"number": number}
            }
        )
    project.asset_registration_number = number
    project.asset_registered_on = registered_on
    project.save(update_fields=["asset_registration_number", "asset_registered_on"])
    return project


# --- Operation: who runs the project -------------------------------------------------------------------------------


@transaction.atomic
def operator_set(
    *,
    user: User,
    project: IndustryProject,
    enterprise: Enterprise | None = None,
    household: Household | None = None,
    agreed_annual_income: Decimal | None = None,
) -> IndustryProject:
    """The operation right: an enterprise or cooperative, or a registered household of the town (or nobody yet).

    A blacklisted enterprise cannot be named; an operator named before it was blacklisted stays until replaced.
    """
    role_require(user, OPERATOR_SETTERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if enterprise is not None and household is not None:
        raise ValidationError(
            {"operator_household": _("A project has one operator: choose an enterprise or a household, not both.")}
        )
    if enterprise is not None and enterprise.pk != project.operator_enterprise_id:
        enterprise_refuse_if_blacklisted(enterprise=enterprise, field="operator_enterprise")
    if household is not None and household.pk != project.operator_household_id:
        in_town = Household.objects.filter(pk=household.pk, village__town_id=project.town_id).exists()
        if not in_town:
            raise ValidationError(
                {
                    "operator_household": _(
                        "Household %(file)s is not a registered household of %(town)s, the project's town."
                    )
                    % {"file": household.file_number, "town": project.town}
                }
            )
    if agreed_annual_income is not None and agreed_annual_income < ZERO:
        raise ValidationError({"agreed_annual_income": _("The agreed income cannot be negative.")})
    project.operator_enterprise = enterprise
    project.operator_household = household
    project.agreed_annual_income = agreed_annual_income
    project.save(update_fields=["operator_enterprise", "operator_household", "agreed_annual_income"])
    return project


# --- Income: the beneficiaries' shares -----------------------------------------------------------------------------


@transaction.atomic
def income_shares_set(
    *, user: User, project: IndustryProject, shares: list[tuple[Village | Household, Decimal]]
) -> list[IncomeShare]:
    """The income right: replace all the project's shares. Each share is above zero and they add up to 100% at
    most; villages are of the project's town, households registered in the project's villages."""
    role_require(user, ASSET_KEEPERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    village_ids = set(Village.objects.filter(town_id=project.town_id).values_list("pk", flat=True))
    project_villages = set(project.villages.values_list("pk", flat=True))
    seen: set[tuple[str, int]] = set()
    total = ZERO
    rows = []
    for beneficiary, percent in shares:
        if percent is None or percent <= ZERO:
            raise ValidationError(
                {"shares": _("The share of %(who)s must be greater than zero.") % {"who": beneficiary}}
            )
        if isinstance(beneficiary, Village):
            if beneficiary.pk not in village_ids:
                raise ValidationError(
                    {
                        "shares": _("%(village)s is not a village of %(town)s, the project's town.")
                        % {"village": beneficiary, "town": project.town}
                    }
                )
            key, row = ("village", beneficiary.pk), IncomeShare(project=project, village=beneficiary, percent=percent)
        elif isinstance(beneficiary, Household):
            if beneficiary.village_id not in project_villages:
                raise ValidationError(
                    {
                        "shares": _("Household %(file)s is not registered in a village of this project.")
                        % {"file": beneficiary.file_number}
                    }
                )
            key = ("household", beneficiary.pk)
            row = IncomeShare(project=project, household=beneficiary, percent=percent)
        else:
            raise ValidationError({"shares": _("A share is for a village or a registered household.")})
        if key in seen:
            raise ValidationError({"shares": _("%(who)s is named twice.") % {"who": beneficiary}})
        seen.add(key)
        total += percent
        rows.append(row)
    if total > HUNDRED:
        raise ValidationError(
            {
                "shares": _("The shares add up to %(total)s%%; together they cannot be more than 100%%.")
                % {"total": total.quantize(CENT)}
            }
        )
    IncomeShare.objects.filter(project=project).delete()
    return IncomeShare.objects.bulk_create(rows)


# --- Mortgages and guarantees: strictly controlled -----------------------------------------------------------------


@transaction.atomic
def encumbrance_request(
    *,
    user: User,
    project: IndustryProject,
    kind: str,
    creditor: str,
    amount: Decimal,
    purpose: str,
    requested_on: dt.date,
) -> AssetEncumbrance:
    """Ask the district to approve a mortgage or guarantee on the project's assets; the project shows a warning
    from now on."""
    role_require(user, ENCUMBRANCE_REQUESTERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if kind not in EncumbranceKind.values:
        raise ValidationError({"kind": _("Choose a mortgage or a guarantee.")})
    creditor = text_required(creditor, "creditor", _("Name the creditor."))
    purpose = text_required(purpose, "purpose", _("Say what the mortgage or guarantee is for."))
    if amount is None or amount <= ZERO:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    date_check(requested_on, "requested_on")
    return AssetEncumbrance.objects.create(
        project=project,
        kind=kind,
        creditor=creditor,
        amount=amount,
        purpose=purpose,
        requested_on=requested_on,
        requested_by=user,
    )


@transaction.atomic
def encumbrance_decide(
    *, user: User, encumbrance: AssetEncumbrance, approve: bool, decided_on: dt.date, note: str = ""
) -> AssetEncumbrance:
    """The district office approves or refuses a requested mortgage or guarantee; a refusal says why."""
    role_require(user, DISTRICT_DECIDERS)
    encumbrance = locked_in_reach(projects_scope, user, encumbrance, message=PROJECT_OUT_OF_REACH)
    if encumbrance.status != EncumbranceStatus.REQUESTED:
        raise ValidationError(
            _("This request was already decided (%(status)s).") % {"status": encumbrance.get_status_display()}
        )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the mortgage or guarantee is refused.")})
    date_check(decided_on, "decided_on", after=(_("the day it was requested"), encumbrance.requested_on))
    encumbrance.status = EncumbranceStatus.APPROVED if approve else EncumbranceStatus.REFUSED
    encumbrance.decided_on, encumbrance.decided_by, encumbrance.decision_note = decided_on, user, note
    encumbrance.save(update_fields=["status", "decided_on", "decided_by", "decision_note"])
    return encumbrance


@transaction.atomic
def encumbrance_release(*, user: User, encumbrance: AssetEncumbrance, released_on: dt.date) -> AssetEncumbrance:
    """The debt is settled: the mortgage or guarantee in force is released and the warning goes."""
    role_require(user, ENCUMBRANCE_RELEASERS)
    encumbrance = locked_in_reach(projects_scope, user, encumbrance, message=PROJECT_OUT_OF_REACH)
    if encumbrance.status != EncumbranceStatus.APPROVED:
        raise ValidationError(_("Only an approved mortgage or guarantee in force can be released."))
    date_check(released_on, "released_on", after=(_("the day it was approved"), encumbrance.decided_on))
    encumbrance.status = EncumbranceStatus.RELEASED
    encumbrance.released_on = released_on
    encumbrance.save(update_fields=["status", "released_on"])
    return encumbrance
