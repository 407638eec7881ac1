"""Who may see and change which household records: the households app's one scope function."""

from django.db.models import Model, QuerySet

from households import models as m
from organisation.roles import Role
from organisation.scoping import Access, restrict, role_of

# The lookup from each kind of record to its village; the town is that village's town.
VILLAGE_PATH: dict[type[Model], str] = {
    m.Household: "village",
    m.Member: "household__village",
    m.StatusEvent: "household__village",
    m.Income: "household__village",
    m.CadreAssignment: "household__village",
    m.DibaoEnrolment: "household__village",
    m.RenovationPlan: "household__village",
    m.InsuranceEnrolment: "member__household__village",
    m.HospitalStay: "member__household__village",
    m.EducationAid: "member__household__village",
    m.LeftBehindChild: "member__household__village",
    m.WaterSupplySurvey: "village",
    m.WaterSample: "village",
    m.CareRoom: "village",
    m.QualityProblem: "household__village",
}

# Roles that see full resident ID numbers after a deliberate, logged reveal; everyone else sees them masked.
ID_NUMBER_REVEALERS = frozenset({Role.DISTRICT_OFFICE, Role.AUDIT, Role.TOWN_STAFF})


def households_scope(user, access: Access = Access.VIEW, queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``queryset`` (default: households) that ``user`` may see or change."""
    queryset = m.Household.objects.all() if queryset is None else queryset
    village = VILLAGE_PATH[queryset.model]
    return restrict(queryset, user, access=access, town_path=f"{village}__town", village_path=village)


def may_reveal_id_numbers(user) -> bool:
    return user.is_authenticated and (user.is_superuser or role_of(user) in ID_NUMBER_REVEALERS)
