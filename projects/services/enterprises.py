"""Enterprises, assistance agreements and the blacklist (point 4).

Enterprises are a district registry: town staff add those of their town, the district office keeps them all. An
agreement belongs to the town it helps and is kept by that town's staff; what the enterprise did each year is
recorded against its commitments, and a breach can put the enterprise on the blacklist, which only the district
office decides (and lifts). Functions raise ``ValidationError`` naming the field, or ``PermissionDenied``.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from organisation.locking import locked_in_reach
from organisation.models import Town
from organisation.money import ZERO
from organisation.scoping import Access, may_act, towns_for
from organisation.validation import date_check, role_require, text_required
from projects.models import (
    AgreementFulfilment,
    AssistanceAgreement,
    BlacklistEntry,
    Enterprise,
    EnterpriseKind,
    IndustryProject,
)
from projects.permissions import (
    DISTRICT_DECIDERS,
    ENTERPRISE_KEEPERS,
    PROJECT_MANAGERS,
    may_change_enterprise,
    projects_scope,
)

# GB 32100-2015: the characters a unified social credit code is written in (no I, O, S, V or Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def enterprise_refuse_if_blacklisted(*, enterprise: Enterprise | None, field: str) -> None:
    """A blacklisted enterprise is not named as operator of a new project or party to a new agreement."""
    if enterprise is None:
        return
    entry = BlacklistEntry.objects.filter(enterprise=enterprise, lifted_on__isnull=True).first()
    if entry is not None:
        raise ValidationError(
            {
                field: _("%(enterprise)s is on the blacklist since %(date)s (%(reason)s) and cannot be chosen.")
                % {"enterprise": enterprise.name, "date": entry.decided_on, "reason": entry.reason}
            }
        )


def _town_in_reach(user: User, town: Town | None, field: str = "town") -> None:
    if town is not None and not towns_for(user, Access.CHANGE).filter(pk=town.pk).exists():
        raise PermissionDenied(_("%(town)s is not a town you work for.") % {"town": town})


# --- Enterprises -----------------------------------------------------------------------------------------------------


def credit_code_clean(value: str) -> str:
    """The unified social credit code (GB 32100): 18 characters whose last is the check character; "" if none.

    python-stdnum's ``cn.uscc.validate`` wants the first eight characters to be digits, which refuses the codes the
    agriculture departments issue to village collective economic organisations (N1, N2, ...): only its check
    character is used here.
    """
    code = (value or "").strip().upper().replace(" ", "").replace("-", "")
    if not code:
        return ""
    if len(code) != 18:
        raise ValidationError(
            {
                "credit_code": _("A unified social credit code has 18 characters; this one has %(count)d.")
                % {"count": len(code)}
            }
        )
    wrong = sorted({char for char in code if char not in CREDIT_CODE_ALPHABET})
    if wrong:
        raise ValidationError(
            {
                "credit_code": _("The code contains %(chars)s, which a unified social credit code never uses.")
                % {"chars": "、".join(wrong)}
            }
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            {"credit_code": _("Characters 3 to 8 of the code are the division code of the place: six digits.")}
        )
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise ValidationError(
            {
                "credit_code": _("The check character should be %(expected)s, not %(given)s: the code is mistyped.")
                % {"expected": expected, "given": code[17]}
            }
        )
    return code


def _enterprise_check(*, user: User, enterprise: Enterprise | None, name: str, kind: str, credit_code: str, town):
    name = text_required(name, "name", _("Give the enterprise's registered name."))
    if kind not in EnterpriseKind.values:
        raise ValidationError({"kind": _("Choose what kind of enterprise this is.")})
    if town is None and not may_act(user, DISTRICT_DECIDERS):
        raise ValidationError({"town": _("Choose the town where the enterprise is.")})
    _town_in_reach(user, town)
    code = credit_code_clean(credit_code)
    others = Enterprise.objects.exclude(pk=enterprise.pk) if enterprise else Enterprise.objects.all()
    if others.filter(name=name).exists():
        raise ValidationError({"name": _("An enterprise named %(name)s is already registered.") % {"name": name}})
    if code and (other := others.filter(credit_code=code).first()) is not None:
        raise ValidationError(
            {"credit_code": _("This credit code is already registered for %(name)s.") % {"name": other.name}}
        )
    return name, code


@transaction.atomic
def enterprise_create(
    *,
    user: User,
    name: str,
    kind: str = EnterpriseKind.ENTERPRISE,
    credit_code: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
    town: Town | None = None,
) -> Enterprise:
    role_require(user, ENTERPRISE_KEEPERS)
    name, code = _enterprise_check(
        user=user, enterprise=None, name=name, kind=kind, credit_code=credit_code, town=town
    )
    return Enterprise.objects.create(
        name=name,
        kind=kind,
        credit_code=code,
        legal_representative=legal_representative.strip(),
        phone=phone.strip(),
        address=address.strip(),
        town=town,
    )


@transaction.atomic
def enterprise_update(
    *,
    user: User,
    enterprise: Enterprise,
    name: str,
    kind: str,
    credit_code: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
    town: Town | None = None,
) -> Enterprise:
    role_require(user, ENTERPRISE_KEEPERS)
    refused = _("Only the district office or the staff of the enterprise's town change it.")
    enterprise = locked_in_reach(projects_scope, user, enterprise, message=refused)
    if not may_change_enterprise(user, enterprise):
        raise PermissionDenied(refused)
    name, code = _enterprise_check(
        user=user, enterprise=enterprise, name=name, kind=kind, credit_code=credit_code, town=town
    )
    enterprise.name, enterprise.kind, enterprise.credit_code, enterprise.town = name, kind, code, town
    enterprise.legal_representative = legal_representative.strip()
    enterprise.phone, enterprise.address = phone.strip(), address.strip()
    enterprise.save()
    return enterprise


# --- Assistance agreements and what was done -----------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    user: User,
    enterprise: Enterprise,
    town: Town,
    signed_on: dt.date,
    ends_on: dt.date,
    project: IndustryProject | None = None,
    number: str = "",
    jobs_committed: int = 0,
    income_committed: Decimal = ZERO,
    purchases_committed: Decimal = ZERO,
    other_commitments: str = "",
) -> AssistanceAgreement:
    """帮扶协议: an enterprise's commitments to a town's poor households; a blacklisted enterprise cannot sign one."""
    role_require(user, PROJECT_MANAGERS)
    if town is None:
        raise ValidationError({"town": _("Choose the town the agreement is for.")})
    _town_in_reach(user, town)
    # Every post reads the registry; the lock makes a blacklisting decided at this moment wait for the agreement.
    enterprise = locked_in_reach(projects_scope, user, enterprise, access=Access.VIEW)
    enterprise_refuse_if_blacklisted(enterprise=enterprise, field="enterprise")
    if project is not None and project.town_id != town.pk:
        raise ValidationError({"project": _("The project is not one of %(town)s.") % {"town": town}})
    date_check(signed_on, "signed_on")
    if ends_on is None or ends_on < signed_on:
        raise ValidationError(
            {"ends_on": _("The agreement cannot end before it is signed (%(date)s).") % {"date": signed_on}}
        )
    if jobs_committed is None or jobs_committed < 0:
        raise ValidationError({"jobs_committed": _("The number of jobs cannot be negative.")})
    for field, value in (("income_committed", income_committed), ("purchases_committed", purchases_committed)):
        if value is None or value < ZERO:
            raise ValidationError({field: _("The amount cannot be negative.")})
    other_commitments = (other_commitments or "").strip()
    if not (jobs_committed or income_committed or purchases_committed or other_commitments):
        raise ValidationError(_("An agreement commits the enterprise to something: jobs, income, purchases or other."))
    return AssistanceAgreement.objects.create(
        enterprise=enterprise,
        town=town,
        project=project,
        number=(number or "").strip(),
        signed_on=signed_on,
        ends_on=ends_on,
        jobs_committed=jobs_committed,
        income_committed=income_committed,
        purchases_committed=purchases_committed,
        other_commitments=other_commitments,
        recorded_by=user,
    )


@transaction.atomic
def fulfilment_record(
    *,
    user: User,
    agreement: AssistanceAgreement,
    year: int,
    jobs_provided: int,
    income_paid: Decimal,
    purchases_made: Decimal,
    note: str = "",
) -> AgreementFulfilment:
    """What the enterprise did in one year of the agreement (one record a year); below a commitment is a breach."""
    role_require(user, PROJECT_MANAGERS)
    agreement = locked_in_reach(
        projects_scope, user, agreement, message=_("This agreement is outside the towns you work for.")
    )
    today = timezone.localdate()
    if year is None or not (agreement.signed_on.year <= year <= agreement.ends_on.year):
        raise ValidationError(
            {
                "year": _("The agreement runs from %(start)s to %(end)s; choose a year in it.")
                % {"start": agreement.signed_on.year, "end": agreement.ends_on.year}
            }
        )
    if year > today.year:
        raise ValidationError({"year": _("A year that has not begun cannot be recorded.")})
    if agreement.fulfilments.filter(year=year).exists():
        raise ValidationError({"year": _("The fulfilment of %(year)s is already recorded.") % {"year": year}})
    if jobs_provided is None or jobs_provided < 0:
        raise ValidationError({"jobs_provided": _("The number of jobs cannot be negative.")})
    for field, value in (("income_paid", income_paid), ("purchases_made", purchases_made)):
        if value is None or value < ZERO:
            raise ValidationError({field: _("The amount cannot be negative.")})
    return AgreementFulfilment.objects.create(
        agreement=agreement,
        year=year,
        jobs_provided=jobs_provided,
        income_paid=income_paid,
        purchases_made=purchases_made,
        note=(note or "").strip(),
        recorded_on=today,
        recorded_by=user,
    )


# --- The blacklist ---------------------------------------------------------------------------------------------------


@transaction.atomic
def blacklist_add(*, user: User, enterprise: Enterprise, reason: str, decided_on: dt.date) -> BlacklistEntry:
    """The district office puts an enterprise on the blacklist: it cannot operate new projects or sign agreements."""
    role_require(user, DISTRICT_DECIDERS)
    enterprise = locked_in_reach(projects_scope, user, enterprise)
    reason = text_required(reason, "reason", _("Say why the enterprise is blacklisted."))
    date_check(decided_on, "decided_on")
    active = BlacklistEntry.objects.filter(enterprise=enterprise, lifted_on__isnull=True).first()
    if active is not None:
        raise ValidationError(
            _("%(enterprise)s is already on the blacklist since %(date)s.")
            % {"enterprise": enterprise.name, "date": active.decided_on}
        )
    try:
        with transaction.atomic():
            return BlacklistEntry.objects.create(
                enterprise=enterprise, reason=reason, decided_on=decided_on, decided_by=user
            )
    except IntegrityError as error:
        raise ValidationError(
            _("%(enterprise)s is already on the blacklist.") % {"enterprise": enterprise.name}
        ) from error


@transaction.atomic
def blacklist_lift(*, user: User, entry: BlacklistEntry, lifted_on: dt.date, reason: str) -> BlacklistEntry:
    """The district office lifts a blacklisting; the entry keeps who decided both and why."""
    role_require(user, DISTRICT_DECIDERS)
    entry = locked_in_reach(projects_scope, user, entry)
    if entry.lifted_on is not None:
        raise ValidationError(_("This blacklisting was already lifted on %(date)s.") % {"date": entry.lifted_on})
    reason = text_required(reason, "reason", _("Say why the blacklisting is lifted."))
    date_check(lifted_on, "lifted_on")
    if lifted_on < entry.decided_on:
        raise ValidationError(
            {
                "lifted_on": _("The blacklisting cannot be lifted before it was decided (%(date)s).")
                % {"date": entry.decided_on}
            }
        )
    entry.lifted_on, entry.lifted_by, entry.lift_reason = lifted_on, user, reason
    entry.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
    return entry
