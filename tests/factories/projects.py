"""Project records for tests. ``ProjectFactory`` writes a project straight to the database at the status
asked for (the lifecycle services are tested on their own); ``operating_project`` makes one ready for
income and the yield job."""

import datetime as dt
import itertools
from decimal import Decimal

import factory

from projects.models import (
    Category,
    Enterprise,
    IndustryProject,
    Investment,
    InvestmentSource,
    ProjectStatus,
)
from tests.factories.organisation import TownFactory, UserFactory

_codes = itertools.count(1)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"兰山测试农业发展有限公司{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndustryProject
        skip_postgeneration_save = True

    code = factory.LazyFunction(lambda: f"XM-T-{next(_codes):05d}")
    name = factory.Sequence(lambda n: f"测试扶贫产业项目{n}")
    category = Category.FARMING
    town = factory.SubFactory(TownFactory)
    content = "建设标准化蔬菜大棚20个"
    scale = "占地50亩"
    implementing_unit = "镇人民政府"
    planned_completion = dt.date(2026, 12, 31)
    status = ProjectStatus.PROPOSAL
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def villages(self, create, extracted, **kwargs):
        if create and extracted:
            self.villages.set(extracted)


def operating_project(*, town, villages=(), investment=Decimal("1000000.00"), started=dt.date(2020, 1, 1), **fields):
    """An operating project with one investment, on the three-assets platform."""
    project = ProjectFactory(
        town=town,
        villages=list(villages),
        status=ProjectStatus.OPERATING,
        three_assets_number=f"SZ-{next(_codes):06d}",
        operation_started_on=started,
        **fields,
    )
    if investment:
        Investment.objects.create(project=project, source=InvestmentSource.CENTRAL, amount=investment)
    return project
