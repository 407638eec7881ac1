"""Demo households for the zero-setup run: a few invented households in every demo village.

Everything here is invented and reproducible (seeded). The poverty lines and dibao standards are
illustrative figures for the demo, not the official ones: the district office enters those.
File numbers start with "D" so demo households are told apart from real ones at a glance.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from households.choices import (
    Health,
    HouseholdStatus,
    HousingGrade,
    LabourAbility,
    PovertyCause,
    Relation,
    SchoolStage,
    WaterSource,
)
from households.id_numbers import id_check_character, id_number_parse
from households.models import (
    Cadre,
    CadreAssignment,
    DibaoStandard,
    Household,
    Income,
    Member,
    PovertyLine,
    StatusEvent,
)
from organisation.models import Village

HOUSEHOLDS_PER_VILLAGE = 3
DEMO_POVERTY_LINES = {2016: Decimal("3402"), 2017: Decimal("3609"), 2018: Decimal("3700")}
DEMO_DIBAO_STANDARDS = {2016: Decimal("3600"), 2017: Decimal("3900"), 2018: Decimal("4200")}
_SURNAMES = "王李张刘陈杨赵孙周吴徐马朱胡郭何高林"
_GIVEN = ["秀英", "桂兰", "建国", "志强", "玉梅", "春生", "海燕", "明", "军", "丽", "敏", "磊", "涛", "芳"]


def _id_number(rng: random.Random, birth_date: dt.date, female: bool, used: set[str]) -> str:
    while True:
        order = rng.randrange(0, 500) * 2 + (0 if female else 1)
        body = f"371302{birth_date:%Y%m%d}{order:03d}"
        number = body + id_check_character(body)
        if number not in used:
            used.add(number)
            return number


@transaction.atomic
def demo_households_load() -> int:
    """Create the demo households that are missing; return how many were created."""
    for year, amount in DEMO_POVERTY_LINES.items():
        PovertyLine.objects.get_or_create(year=year, defaults={"amount": amount})
    for year, amount in DEMO_DIBAO_STANDARDS.items():
        DibaoStandard.objects.get_or_create(year=year, defaults={"amount": amount})

    rng = random.Random(371302)
    existing = set(Household.objects.filter(file_number__startswith="D").values_list("file_number", flat=True))
    used_ids = set(Member.objects.values_list("id_number", flat=True))
    villages = list(Village.objects.filter(is_demo=True).select_related("town").order_by("code"))
    households, members, incomes, events = [], [], [], []
    for village in villages:
        for index in range(1, HOUSEHOLDS_PER_VILLAGE + 1):
            file_number = f"D{village.code}{index:03d}"
            status = rng.choice(
                [HouseholdStatus.OUT_CONTINUING] * 3 + [HouseholdStatus.NOT_OUT, HouseholdStatus.MARGINAL]
            )
            household = Household(
                file_number=file_number,
                village=village,
                group=f"{rng.randint(1, 6)}组",
                main_cause=rng.choice(
                    [
                        PovertyCause.ILLNESS,
                        PovertyCause.DISABILITY,
                        PovertyCause.NO_LABOUR,
                        PovertyCause.SCHOOLING,
                        PovertyCause.NO_SKILLS,
                    ]
                ),
                year_identified=rng.choice([2014, 2015, 2016]),
                status=status,
                status_since=dt.date(2017, 12, 1),
                food_and_clothing_secure=True,
                housing_grade=_housing_grade(rng, status),
                water_source=rng.choice([WaterSource.TAP, WaterSource.TAP, WaterSource.PROTECTED_WELL]),
            )
            if file_number in existing:
                continue
            households.append(household)
            surname = rng.choice(_SURNAMES)
            size = rng.randint(1, 4)
            head_birth = dt.date(rng.randint(1940, 1975), rng.randint(1, 12), rng.randint(1, 28))
            people = [(Relation.HEAD, head_birth, rng.random() < 0.3)]
            if size > 1:
                people.append((Relation.SPOUSE, head_birth + dt.timedelta(days=rng.randint(-900, 900)), True))
            for _child in range(size - 2):
                people.append((Relation.GRANDSON, dt.date(rng.randint(2003, 2014), rng.randint(1, 12), 15), False))
            for relation, birth_date, female in people:
                number = _id_number(rng, birth_date, female, used_ids)
                resident = id_number_parse(number)
                age = 2018 - birth_date.year
                members.append(
                    Member(
                        household=household,
                        name=surname + rng.choice(_GIVEN),
                        id_number=number,
                        relation=relation,
                        sex=resident.sex,
                        birth_date=resident.birth_date,
                        health=rng.choice([Health.HEALTHY, Health.HEALTHY, Health.CHRONIC, Health.SERIOUS]),
                        labour_ability=LabourAbility.NONE if age < 16 or age > 70 else LabourAbility.ORDINARY,
                        school_stage=(SchoolStage.PRIMARY if age <= 12 else SchoolStage.JUNIOR) if age <= 15 else "",
                    )
                )
            events.append(
                StatusEvent(household=household, status=HouseholdStatus.NOT_OUT,
                            effective_on=dt.date(household.year_identified, 10, 1))
            )  # fmt: skip
            if status != HouseholdStatus.NOT_OUT:
                events.append(StatusEvent(household=household, status=status, effective_on=household.status_since))
            for year in (2017, 2018):
                per_head = DEMO_POVERTY_LINES[year] * _income_ratio(rng, status)
                transfers = Decimal(rng.randrange(500, 3000))
                income = Income(
                    household=household,
                    year=year,
                    wages=max(Decimal(0), (per_head * len(people) - transfers).quantize(Decimal(1))),
                    transfers=transfers,
                    household_size=len(people),
                )
                income.compute_totals()
                incomes.append(income)
    Household.objects.bulk_create(households)
    for row in (*members, *incomes, *events):
        row.household_id = row.household.pk
    Member.objects.bulk_create(members)
    Income.objects.bulk_create(incomes)
    StatusEvent.objects.bulk_create(events)
    _assign_demo_cadres(rng, households)
    return len(households)


# The share of households out of poverty whose record the data-quality check should question: an income below the
# line, or a house graded unsafe. With the households left without a cadre, a few percent of the demo's households
# have a problem to fix, as a real register would, not a third of them.
DEMO_ERROR_RATE = 0.015


def _income_ratio(rng: random.Random, status: str) -> Decimal:
    """A household's per-capita net income as a multiple of the year's poverty line: well above it once out of
    poverty (bar the odd record in error), around it for a marginal household, below it while not out."""
    if status == HouseholdStatus.NOT_OUT:
        low, high = 0.55, 0.95
    elif status == HouseholdStatus.MARGINAL:
        low, high = 1.05, 1.4
    elif rng.random() < DEMO_ERROR_RATE:
        low, high = 0.8, 0.98
    else:
        low, high = 1.3, 2.6
    return Decimal(str(round(rng.uniform(low, high), 3)))


def _housing_grade(rng: random.Random, status: str) -> str:
    """Unsafe houses (grade C) belong to households not yet out of poverty, bar the odd record in error."""
    if status == HouseholdStatus.NOT_OUT:
        return rng.choice([HousingGrade.B, HousingGrade.C])
    if rng.random() < DEMO_ERROR_RATE:
        return HousingGrade.C
    return rng.choice([HousingGrade.A, HousingGrade.B, HousingGrade.B])


def _assign_demo_cadres(rng: random.Random, households: list[Household]) -> None:
    """One cadre for every four households of a town, all households covered but one per town, left for the list."""
    by_town: dict[int, list[Household]] = {}
    for household in households:
        by_town.setdefault(household.village.town_id, []).append(household)
    for town_households in by_town.values():
        covered = town_households[: len(town_households) - 1]
        for start in range(0, len(covered), 4):
            town_name = covered[start].village.town.name
            cadre = Cadre.objects.create(
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN), work_unit=f"{town_name}人民政府", phone="0539-8000000"
            )
            CadreAssignment.objects.bulk_create(
                CadreAssignment(household=household, cadre=cadre, starts_on=dt.date(2018, 3, 1))
                for household in covered[start : start + 4]
            )
