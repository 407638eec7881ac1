import datetime as dt
import itertools

import factory
from stdnum.cn import ric

from households.choices import LabourAbility, PovertyCause, Relation, Sex
from households.id_numbers import id_number_parse
from households.models import Household, Member
from tests.factories.organisation import VillageFactory

_serial = itertools.count(1)
ADULT_BIRTH_DATE = dt.date(1980, 5, 1)


def valid_id_number(birth_date: dt.date | None = None, *, female: bool = False, place: str = "371302") -> str:
    """A GB 11643 number with a correct check digit; each call gives a new one."""
    serial = next(_serial)
    birth_date = birth_date or dt.date(1960, 1, 1) + dt.timedelta(days=serial)
    order = (serial % 500) * 2 + (0 if female else 1)
    body = f"{place}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    file_number = factory.Sequence(lambda n: f"3713020001{n:06d}")
    village = factory.SubFactory(VillageFactory)
    main_cause = PovertyCause.ILLNESS
    year_identified = 2015


class MemberFactory(factory.django.DjangoModelFactory):
    """A member whose ID number is valid; ``born=`` and ``female=`` choose what the number says."""

    class Meta:
        model = Member

    class Params:
        born = None
        female = False

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    relation = Relation.HEAD
    labour_ability = LabourAbility.ORDINARY
    id_number = factory.LazyAttribute(lambda member: valid_id_number(member.born, female=member.female))
    birth_date = factory.LazyAttribute(lambda member: id_number_parse(member.id_number).birth_date)
    sex = factory.LazyAttribute(lambda member: id_number_parse(member.id_number).sex)


def member_born(household: Household, birth_date: dt.date = ADULT_BIRTH_DATE, **fields) -> Member:
    """A member of ``household`` born on ``birth_date`` (an adult unless told); not the head unless told."""
    fields.setdefault("relation", Relation.OTHER)
    return MemberFactory(household=household, born=birth_date, **fields)


def members_with_id_numbers(household: Household, numbers) -> list[Member]:
    """One member of ``household`` for each of ``numbers``, stored as they are (valid or not) in one insert; the
    recorded birth date and sex are placeholders."""
    return Member.objects.bulk_create(
        Member(
            household=household,
            name=f"成员{index}",
            id_number=number,
            relation=Relation.OTHER,
            sex=Sex.MALE,
            birth_date=dt.date(1970, 1, 1),
            labour_ability=LabourAbility.ORDINARY,
        )
        for index, number in enumerate(numbers)
    )
