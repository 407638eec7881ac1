"""What an industry project is (points 1 and 3): town staff propose a project and correct the proposal until it
goes to the joint review; a project built before the system is entered at its present state.

Its moves between states, from the submission to the joint review on, are ``projects.services.lifecycle``'s.
"""

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import Allocation, Hop, Transfer
from households.models import Household
from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.money import ZERO
from organisation.scoping import Access, towns_for
from organisation.validation import role_require
from projects.models import (
    Category,
    Enterprise,
    IndustrialPark,
    IndustryProject,
    Investment,
    InvestmentSource,
    ProjectStatus,
    StatusChange,
)
from projects.permissions import (
    DISTRICT_WRITERS,
    EXISTING_RECORDERS,
    PROJECT_MANAGERS,
    PROJECT_OUT_OF_REACH,
    projects_scope,
)
from projects.services.enterprises import enterprise_refuse_if_blacklisted
from projects.services.lifecycle import check_date, status_label

S = ProjectStatus

# A project entered as existing is entered at one of these states.
EXISTING_STATES = (S.COMPLETED, S.OPERATING)


class InvestmentLine(NamedTuple):
    """Money for a project from one source; ``allocation`` where it came down the funds chain."""

    source: str
    amount: Decimal
    allocation: Allocation | None = None


# --- What a project is --------------------------------------------------------------------------------------------


def _check_text(**values: str) -> dict[str, str]:
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    for name, value in cleaned.items():
        if not value:
            raise ValidationError({name: _("This field is required.")})
    return cleaned


def _check_project(
    *,
    town: Town,
    villages,
    category: str,
    park: IndustrialPark | None,
    planned_start: dt.date | None,
    planned_completion: dt.date | None,
    investments: list,
    operator_enterprise: Enterprise | None,
    operator_household: Household | None,
    current_operator: Enterprise | None = None,
) -> tuple[list[Village], list[InvestmentLine]]:
    villages = list(villages or [])
    if not villages:
        raise ValidationError({"villages": _("Name at least one village the project is for.")})
    if any(village.town_id != town.pk for village in villages):
        raise ValidationError({"villages": _("Every village must belong to %(town)s.") % {"town": town}})
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if park is not None and park.town_id != town.pk:
        raise ValidationError({"park": _("The industrial park must be one of %(town)s.") % {"town": town}})
    if planned_completion is None:
        raise ValidationError({"planned_completion": _("Give the planned completion date.")})
    if planned_start and planned_completion < planned_start:
        raise ValidationError({"planned_completion": _("The planned completion cannot be before the planned start.")})
    if operator_enterprise and operator_household:
        raise ValidationError(
            {"operator_household": _("A project has one operator: an enterprise or a household, not both.")}
        )
    # A blacklisted enterprise is refused when it is named, not when an earlier choice is kept.
    if operator_enterprise is not None and operator_enterprise != current_operator:
        enterprise_refuse_if_blacklisted(enterprise=operator_enterprise, field="operator_enterprise")
    if operator_household is not None and operator_household.village.town_id != town.pk:
        raise ValidationError(
            {"operator_household": _("The operating household must live in %(town)s.") % {"town": town}}
        )
    return villages, _check_investments(town, investments)


def _check_investments(town: Town, investments: list) -> list[InvestmentLine]:
    lines = [InvestmentLine(*line) for line in investments or []]
    for line in lines:
        if line.source not in InvestmentSource.values:
            raise ValidationError({"investments": _("Choose the source of every investment.")})
        if line.amount is None or line.amount <= ZERO:
            raise ValidationError({"investments": _("Every investment must be greater than zero.")})
        if (
            line.allocation is not None
            and not Transfer.objects.filter(allocation=line.allocation, town=town, hop=Hop.TO_TOWN).exists()
        ):
            raise ValidationError(
                {
                    "investments": _("Allocation %(allocation)s has not been allotted to %(town)s.")
                    % {"allocation": line.allocation.document_number, "town": town}
                }
            )
    return lines


def _save_investments(project: IndustryProject, lines: list[InvestmentLine]) -> None:
    """The project's investments become ``lines``; unchanged ones stay as they are (and so does their history)."""
    existing = list(project.investments.all())
    if [(i.source, i.amount, i.allocation_id) for i in existing] == [
        (line.source, line.amount, line.allocation.pk if line.allocation else None) for line in lines
    ]:
        return
    project.investments.all().delete()
    Investment.objects.bulk_create(
        [
            Investment(project=project, source=line.source, amount=line.amount, allocation=line.allocation)
            for line in lines
        ]
    )


def _require_town(user: User, town: Town) -> None:
    if not towns_for(user, Access.CHANGE, DISTRICT_WRITERS).filter(pk=town.pk).exists():
        raise PermissionDenied(_("%(town)s is outside the towns you work for.") % {"town": town})


def _new_code(town: Town, year: int) -> str:
    """``XM{year}-{last three digits of the town's code}-{number of the year in that prefix}``.

    Two towns whose codes end alike share the numbering of the prefix, so the code stays unique; the prefix is
    locked (a transaction-level advisory lock) while the next number is taken.
    """
    prefix = f"XM{year}-{town.code[-3:]}-"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [prefix])
    last = IndustryProject.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in last[:1] if code[len(prefix) :].isdigit()]
    return f"{prefix}{(numbers[0] if numbers else 0) + 1:04d}"


# --- Town staff: proposal and its corrections --------------------------------------------------------------------


# --- Town staff: proposal, changes, submission -------------------------------------------------------------------


@transaction.atomic
def project_propose(
    *,
    user: User,
    town: Town,
    villages,
    name: str,
    category: str,
    park: IndustrialPark | None = None,
    content: str,
    scale: str,
    implementing_unit: str,
    planned_start: dt.date | None = None,
    planned_completion: dt.date,
    investments: list,
    operator_enterprise: Enterprise | None = None,
    operator_household: Household | None = None,
    proposed_on: dt.date | None = None,
) -> IndustryProject:
    """Town staff propose a project of their town; it starts as a proposal, numbered, with its investments."""
    role_require(user, PROJECT_MANAGERS)
    _require_town(user, town)
    text = _check_text(name=name, content=content, scale=scale, implementing_unit=implementing_unit)
    villages, lines = _check_project(
        town=town,
        villages=villages,
        category=category,
        park=park,
        planned_start=planned_start,
        planned_completion=planned_completion,
        investments=investments,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
    )
    proposed_on = check_date(proposed_on or timezone.localdate(), "proposed_on")
    project = IndustryProject.objects.create(
        code=_new_code(town, proposed_on.year),
        town=town,
        category=category,
        park=park,
        planned_start=planned_start,
        planned_completion=planned_completion,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
        status=S.PROPOSAL,
        created_by=user,
        **text,
    )
    project.villages.set(villages)
    _save_investments(project, lines)
    StatusChange.objects.create(
        project=project, from_status="", to_status=S.PROPOSAL, changed_on=proposed_on, changed_by=user
    )
    return project


@transaction.atomic
def project_update(
    *,
    user: User,
    project: IndustryProject,
    villages,
    name: str,
    category: str,
    park: IndustrialPark | None = None,
    content: str,
    scale: str,
    implementing_unit: str,
    planned_start: dt.date | None = None,
    planned_completion: dt.date,
    investments: list,
    operator_enterprise: Enterprise | None = None,
    operator_household: Household | None = None,
) -> IndustryProject:
    """A proposal is corrected by its town before it goes to the review (its town stays)."""
    role_require(user, PROJECT_MANAGERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if project.status != S.PROPOSAL:
        raise ValidationError(
            _("Only a proposal can be changed; this project is “%(status)s”.")
            % {"status": status_label(project.status)}
        )
    text = _check_text(name=name, content=content, scale=scale, implementing_unit=implementing_unit)
    villages, lines = _check_project(
        town=project.town,
        villages=villages,
        category=category,
        park=park,
        planned_start=planned_start,
        planned_completion=planned_completion,
        investments=investments,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
        current_operator=project.operator_enterprise,
    )
    changes = {
        **text,
        "category": category,
        "park": park,
        "planned_start": planned_start,
        "planned_completion": planned_completion,
        "operator_enterprise": operator_enterprise,
        "operator_household": operator_household,
    }
    changed = [field for field, value in changes.items() if getattr(project, field) != value]
    for field in changed:
        setattr(project, field, changes[field])
    if changed:
        project.save(update_fields=changed)
    if {v.pk for v in villages} != set(project.villages.values_list("pk", flat=True)):
        project.villages.set(villages)
    _save_investments(project, lines)
    return project


# --- A project built before the system: entered at its present state ---------------------------------------------


@transaction.atomic
def project_register_existing(
    *,
    user: User,
    town: Town,
    villages,
    name: str,
    category: str,
    park: IndustrialPark | None = None,
    content: str,
    scale: str,
    implementing_unit: str,
    investments: list,
    status: str,
    construction_started_on: dt.date | None = None,
    completed_on: dt.date,
    operation_started_on: dt.date | None = None,
    three_assets_number: str = "",
    operator_enterprise: Enterprise | None = None,
    operator_household: Household | None = None,
    note: str = "",
) -> IndustryProject:
    """Enter a project built before (point 3: every project since 2014) as completed or operating, with the days
    it was built; it did not pass the review in the system and is marked as entered existing."""
    role_require(user, EXISTING_RECORDERS)
    _require_town(user, town)
    if status not in EXISTING_STATES:
        raise ValidationError({"status": _("An existing project is entered as completed or operating.")})
    text = _check_text(name=name, content=content, scale=scale, implementing_unit=implementing_unit)
    check_date(completed_on, "completed_on")
    if construction_started_on and construction_started_on > completed_on:
        raise ValidationError(
            {"construction_started_on": _("Construction cannot start after the project was completed.")}
        )
    changed_on = completed_on
    three_assets_number = (three_assets_number or "").strip()
    if status == S.OPERATING:
        operation_started_on = check_date(operation_started_on, "operation_started_on")
        if operation_started_on < completed_on:
            raise ValidationError(
                {"operation_started_on": _("Operation cannot start before the project was completed.")}
            )
        if not three_assets_number:
            raise ValidationError(
                {"three_assets_number": _("An operating project is on the three-assets platform: give its number.")}
            )
        changed_on = operation_started_on
    else:
        operation_started_on = None
    if three_assets_number and IndustryProject.objects.filter(three_assets_number=three_assets_number).exists():
        raise ValidationError(
            {
                "three_assets_number": _("Three-assets platform number %(number)s is already used by another project.")
                % {"number": three_assets_number}
            }
        )
    villages, lines = _check_project(
        town=town,
        villages=villages,
        category=category,
        park=park,
        planned_start=None,
        planned_completion=completed_on,
        investments=investments,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
    )
    if not lines:
        raise ValidationError({"investments": _("Enter the money invested in the project.")})
    project = IndustryProject.objects.create(
        code=_new_code(town, completed_on.year),
        town=town,
        category=category,
        park=park,
        planned_start=construction_started_on,
        planned_completion=completed_on,
        construction_started_on=construction_started_on,
        completed_on=completed_on,
        operation_started_on=operation_started_on,
        three_assets_number=three_assets_number,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
        status=status,
        entered_as_existing=True,
        created_by=user,
        **text,
    )
    project.villages.set(villages)
    _save_investments(project, lines)
    StatusChange.objects.create(
        project=project,
        from_status="",
        to_status=status,
        changed_on=changed_on,
        changed_by=user,
        note=note.strip() or _("Entered as an existing project."),
    )
    return project


def project_total_investment(project: IndustryProject) -> Decimal:
    return project.investments.aggregate(total=Sum("amount"))["total"] or ZERO
