"""Figures of the people and partners (points 15, 16 and 18): first secretaries, the departments' pairing money, the
social forces' volunteer hours and donations, and the training of the towns' and villages' staff.

Every figure is as of the month's last day (``Period.as_of``); money and hours count from the first of its year
(year to date). A village's first secretary and pairings are the village's; a contribution is its town's (its village
is optional); a post's training is its town's (a village clerk's town is the village's). The split of pairing money
by department is on the department pages and the public page (``partners.selectors``), which the geographic figures
do not hold.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisation.models import StaffPost, Village
from organisation.roles import Level, Role
from partners.choices import ContributionKind, SupportKind
from partners.models import Contribution, FirstSecretary, PairingSupport, TrainingAttendance
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators.base import Indicator, Period, Rows, grouped

POINT_SECTORS = "15"
POINT_SOCIAL = "16"
POINT_TRAINING = "18"
# The grass-roots staff whose training point 18 asks for (提高基层干部攻坚能力): town staff and village clerks.
TRAINED_ROLES = (Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK)


def _villages_without_secretary(period: Period) -> Rows:
    day = period.as_of
    serving = FirstSecretary.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), village=OuterRef("pk"), starts_on__lte=day
    )
    return grouped(Village.objects.filter(is_key_village=True).filter(~Exists(serving)), "id")


def _pairing_money(period: Period) -> Rows:
    support = PairingSupport.objects.filter(
        kind=SupportKind.MONEY, given_on__gte=period.year_start, given_on__lte=period.as_of
    )
    return grouped(support, "pairing__village_id", Sum("amount"))


def _contributions(kind: str, field: str):
    def compute(period: Period) -> Rows:
        given = Contribution.objects.filter(kind=kind, given_on__gte=period.year_start, given_on__lte=period.as_of)
        return grouped(given, "town_id", Sum(field))

    return compute


def _grass_roots_posts() -> QuerySet[StaffPost]:
    """The active posts of the towns and their villages, each with its town (its own, or its village's)."""
    posts = StaffPost.objects.filter(role__in=TRAINED_ROLES, user__is_active=True)
    return posts.annotate(post_town=Coalesce("town_id", "village__town_id"))


def _staff_total(period: Period) -> Rows:
    return grouped(_grass_roots_posts(), "post_town")


def _staff_trained(period: Period) -> Rows:
    trained = TrainingAttendance.objects.filter(
        staff=OuterRef("user_id"),
        attended=True,
        session__held_on__gte=period.year_start,
        session__held_on__lte=period.as_of,
    )
    return grouped(_grass_roots_posts().filter(Exists(trained)), "post_town")


def _district_list(name: str):
    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return reverse(name) if level == Level.DISTRICT else None

    return records


PARTNERS_INDICATORS = [
    Indicator(
        code="partners_villages_without_secretary",
        name=_("Key villages without a first secretary"),
        unit=FigureUnit.VILLAGES,
        domain=Domain.PARTNERS,
        point=POINT_SECTORS,
        definition=_("Key poverty-alleviation villages with no first secretary serving on the day."),
        compute=_villages_without_secretary,
        records=_district_list("partners:villages_without_secretary"),
        should_be_zero=True,
    ),
    Indicator(
        code="partners_pairing_money",
        name=_("Money given by paired departments"),
        unit=FigureUnit.YUAN,
        domain=Domain.PARTNERS,
        point=POINT_SECTORS,
        definition=_(
            "Money the sector departments gave the villages they are paired with, from 1 January to the day."
        ),
        compute=_pairing_money,
        records=_district_list("partners:pairing_list"),
    ),
    Indicator(
        code="partners_volunteer_hours",
        name=_("Volunteer hours"),
        unit=FigureUnit.HOURS,
        domain=Domain.PARTNERS,
        point=POINT_SOCIAL,
        definition=_("Hours social forces' volunteers served in the town, from 1 January to the day."),
        compute=_contributions(ContributionKind.HOURS, "hours"),
        finest=Level.TOWN,
        records=_district_list("partners:contribution_list"),
    ),
    Indicator(
        code="partners_donations",
        name=_("Donations of social forces"),
        unit=FigureUnit.YUAN,
        domain=Domain.PARTNERS,
        point=POINT_SOCIAL,
        definition=_("Money social forces donated to the town, its villages or projects, from 1 January to the day."),
        compute=_contributions(ContributionKind.MONEY, "amount"),
        finest=Level.TOWN,
        records=_district_list("partners:contribution_list"),
    ),
    Indicator(
        code="partners_staff",
        name=_("Town and village staff"),
        unit=FigureUnit.PEOPLE,
        domain=Domain.PARTNERS,
        point=POINT_TRAINING,
        definition=_("Active staff posts of the towns and of their villages."),
        compute=_staff_total,
        finest=Level.TOWN,
    ),
    Indicator(
        code="partners_staff_trained",
        name=_("Town and village staff trained this year"),
        unit=FigureUnit.PEOPLE,
        domain=Domain.PARTNERS,
        point=POINT_TRAINING,
        definition=_("Of those, the staff who attended a training from 1 January to the day."),
        compute=_staff_trained,
        finest=Level.TOWN,
        records=_district_list("partners:untrained"),
    ),
    Indicator(
        code="partners_training_coverage",
        name=_("Training coverage"),
        unit=FigureUnit.PERCENT,
        domain=Domain.PARTNERS,
        point=POINT_TRAINING,
        definition=_("Town and village staff trained this year, per hundred staff."),
        finest=Level.TOWN,
        aggregation=Aggregation.RATIO,
        ratio_of=("partners_staff_trained", "partners_staff"),
    ),
]
