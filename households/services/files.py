"""Writes to the household file itself: households, members, and the logged reveal of an ID number."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from households.choices import PovertyCause, Relation
from households.id_numbers import id_number_parse
from households.models import Household, IdNumberReveal, Member
from households.permissions import HOUSEHOLD_KEEPERS, households_scope, may_reveal_id_numbers
from households.rules import relation_sex_conflict
from organisation.actors import Actor
from organisation.scoping import Access, has_district_reach, villages_for
from organisation.validation import role_require

HOUSEHOLD_FIELDS = (
    "file_number", "village", "group", "address", "phone", "bank_name", "bank_account", "identification_standard",
    "attribute", "main_cause", "other_causes", "year_identified", "food_and_clothing_secure", "house_area",
    "house_structure", "house_year_built", "water_source", "drinking_water_difficult",
)  # fmt: skip

MEMBER_FIELDS = (
    "name", "id_number", "relation", "ethnicity", "education", "school_stage", "health", "disability_grade",
    "labour_ability", "migrant_worker", "in_dibao", "medical_insurance", "pension_insurance", "dropout_risk",
)  # fmt: skip


def _check_causes(main_cause: str, other_causes: list[str]) -> None:
    if main_cause in other_causes:
        raise ValidationError({"other_causes": _("The main cause cannot be repeated among the other causes.")})
    if len(other_causes) > 2:
        raise ValidationError({"other_causes": _("Choose at most two other causes.")})
    unknown = set(other_causes) - set(PovertyCause.values)
    if unknown:
        raise ValidationError({"other_causes": _("Unknown poverty cause: %(codes)s.") % {"codes": ", ".join(unknown)}})


@transaction.atomic
def household_save(*, user: User, household: Household | None = None, **data) -> Household:
    """Create or change a household; the village must be one the user may change records in."""
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"not household fields: {sorted(unknown)}")
    role_require(user, HOUSEHOLD_KEEPERS)
    if household is not None and not households_scope(user, Access.CHANGE).filter(pk=household.pk).exists():
        raise PermissionDenied
    village = data.get("village", household.village if household else None)
    if village is None or not villages_for(user, Access.CHANGE).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("You may not enter households in this village.")})
    household = household or Household()
    for field, value in data.items():
        setattr(household, field, value)
    _check_causes(household.main_cause, list(household.other_causes or []))
    household.full_clean(exclude=["status", "status_since"])
    household.save()
    return household


def where_registered_message(user: Actor, member: Member) -> str:
    """Where a person already is, as much as ``user`` may know: the district sees the place and file."""
    if has_district_reach(user, Access.VIEW):
        return _("%(name)s is already registered in household %(file)s (%(town)s %(village)s).") % {
            "name": member.name,
            "file": member.household.file_number,
            "town": member.household.village.town.name,
            "village": member.household.village.name,
        }
    if households_scope(user).filter(pk=member.household_id).exists():
        return _("This person is already registered in household %(file)s.") % {"file": member.household.file_number}
    return _("This person is already registered in a household elsewhere in the district.")


@transaction.atomic
def member_save(*, user: User, household: Household, member: Member | None = None, **data) -> Member:
    """Add a member to ``household`` or change one. The ID number is checked (GB 11643), sex and birth
    date are taken from it, and one person can be in one household of the district only."""
    unknown = set(data) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"not member fields: {sorted(unknown)}")
    role_require(user, HOUSEHOLD_KEEPERS)
    if not households_scope(user, Access.CHANGE).filter(pk=household.pk).exists():
        raise PermissionDenied
    if member is not None and member.household_id != household.pk:
        raise PermissionDenied
    member = member or Member(household=household)
    for field, value in data.items():
        setattr(member, field, value)
    try:
        resident = id_number_parse(member.id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    member.id_number, member.birth_date, member.sex = resident.number, resident.birth_date, resident.sex

    elsewhere = (
        Member.objects.select_related("household__village__town")
        .filter(id_number=member.id_number)
        .exclude(pk=member.pk)
        .first()
    )
    if elsewhere:
        raise ValidationError({"id_number": where_registered_message(user, elsewhere)})
    if (
        member.relation == Relation.HEAD
        and household.members.filter(relation=Relation.HEAD).exclude(pk=member.pk).exists()
    ):
        raise ValidationError({"relation": _("This household already has a head; change that member first.")})
    head = household.members.filter(relation=Relation.HEAD).exclude(pk=member.pk)
    head_sex = head.values_list("sex", flat=True).first() if member.relation != Relation.HEAD else None
    if conflict := relation_sex_conflict(member.relation, member.sex, head_sex=head_sex):
        raise ValidationError({"relation": conflict})
    member.full_clean(exclude=["household", "sex", "birth_date", "id_number"])
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        # Someone registered the same person a moment ago: the unique index answered for us.
        if "id_number" in str(error):
            raise ValidationError(
                {"id_number": _("This person was registered in another household a moment ago.")}
            ) from None
        raise
    return member


def id_number_reveal(*, user: User, member: Member, context: str) -> str:
    """The full ID number, for a user whose role may see it; every reveal is written down."""
    if not may_reveal_id_numbers(user) or not households_scope(user).filter(pk=member.household_id).exists():
        raise PermissionDenied
    IdNumberReveal.objects.create(user=user, member=member, context=context[:200])
    return member.id_number
