"""Demo people and partners (points 15-18), small and quick: a few departments with their 2018-2020 plans and
quarterly progress, pairings with key villages and what they gave, first secretaries for most key villages (a few
left without one, so the list of villages without one shows something), social forces and contributions, the 10.17
activities, commendations, the responsibility rules, and trainings of the demo town's staff.

Everything is invented, written with ``bulk_create`` (the history triggers record it), by the demo district office.
A second load writes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from organisation.demo_data import DEMO_TOWN_NAME
from organisation.models import Town, Village
from partners import models as m
from partners.choices import (
    CommendationStatus,
    ContributionKind,
    ForceKind,
    ResponsibilityLevel,
    SupportKind,
    TrainingLevel,
    TrainingTopic,
)

DEPARTMENTS = {
    "区交通运输局": [("硬化通村道路", "公里", ("40", "35", "25"))],
    "区水利局": [("新建农村安全饮水工程", "处", ("12", "10", "8"))],
    "区教育和体育局": [("资助贫困家庭学生", "人次", ("1200", "1250", "1300"))],
    "区卫生健康局": [("贫困人口家庭医生签约", "人", ("3000", "3000", "3000"))],
    "区人力资源和社会保障局": [("贫困劳动力技能培训", "人", ("500", "600", "600"))],
    "区农业农村局": [("扶持特色种养项目", "个", ("20", "25", "30"))],
}
SURNAMES = "王李张刘陈杨赵孙周吴徐马朱胡郭何高林罗郑"
GIVEN = ["伟", "敏", "磊", "洋", "静", "强", "军", "杰", "娟", "涛"]
UNITS = ["区财政局", "区交通运输局", "区水利局", "区农业农村局", "区民政局", "区卫生健康局"]


@transaction.atomic
def demo_partners_load() -> int:
    """Load the demo partners once; the number of records written (0 the second time)."""
    if m.Department.objects.exists():
        return 0
    office = get_user_model().objects.filter(username="demo_office").first()
    if office is None:
        return 0
    today = timezone.localdate()
    key_villages = list(Village.objects.filter(is_key_village=True).select_related("town").order_by("code"))
    written = 0

    departments = m.Department.objects.bulk_create(
        [m.Department(name=name, sort_order=index) for index, name in enumerate(DEPARTMENTS, start=1)]
    )
    targets = []
    for department in departments:
        for measure, unit, per_year in DEPARTMENTS[department.name]:
            for year, target in zip((2018, 2019, 2020), per_year, strict=True):
                targets.append(
                    m.PlanTarget(department=department, year=year, measure=measure, unit=unit, target=Decimal(target))
                )
    targets = m.PlanTarget.objects.bulk_create(targets)
    progress = []
    for index, target in enumerate(targets):
        # Earlier years done (a little over or under), the last one half way.
        share = [Decimal("0.27"), Decimal("0.25"), Decimal("0.26"), Decimal("0.24") - Decimal(index % 3) / 100]
        quarters = 4 if target.year < 2020 else 2
        for quarter in range(1, quarters + 1):
            achieved = (target.target * share[quarter - 1]).quantize(Decimal("0.01"))
            progress.append(m.TargetProgress(target=target, quarter=quarter, achieved=achieved, recorded_by=office))
    m.TargetProgress.objects.bulk_create(progress)

    pairings = m.Pairing.objects.bulk_create(
        [
            m.Pairing(
                department=departments[index % len(departments)],
                village=village,
                starts_on=dt.date(2018, 3, 1),
                recorded_by=office,
            )
            for index, village in enumerate(key_villages)
        ]
    )
    support = []
    for index, pairing in enumerate(pairings):
        support.append(
            m.PairingSupport(pairing=pairing, kind=SupportKind.MONEY, given_on=today - dt.timedelta(days=30 + index),
                             amount=Decimal(20000 + 500 * (index % 7)), recorded_by=office)
        )  # fmt: skip
        support.append(
            m.PairingSupport(pairing=pairing, kind=SupportKind.PEOPLE, given_on=today - dt.timedelta(days=60 + index),
                             people=2 + index % 3, description="驻村帮扶", recorded_by=office)
        )  # fmt: skip
        if index % 3 == 0:
            support.append(
                m.PairingSupport(pairing=pairing, kind=SupportKind.MATERIALS, given_on=today - dt.timedelta(days=90),
                                 amount=Decimal("8000"), description="化肥、农机具", recorded_by=office)
            )  # fmt: skip
    m.PairingSupport.objects.bulk_create(support)

    # Most key villages have a first secretary; every sixth has none yet.
    secretaries = m.FirstSecretary.objects.bulk_create(
        [
            m.FirstSecretary(
                village=village,
                name=SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)],
                unit=UNITS[index % len(UNITS)],
                post="科员" if index % 2 else "副科长",
                phone=f"1390539{index:04d}",
                starts_on=dt.date(2018, 4, 1) if index % 2 else dt.date(2019, 4, 1),
                recorded_by=office,
            )
            for index, village in enumerate(key_villages)
            if index % 6 != 5
        ]
    )
    m.WorkTeamMember.objects.bulk_create(
        [
            m.WorkTeamMember(secretary=secretary, name=f"{SURNAMES[(n + 3) % 20]}{GIVEN[(n + 5) % 10]}",
                             unit=secretary.unit, post="队员")
            for n, secretary in enumerate(secretaries)
            for _member in range(2)
        ]
    )  # fmt: skip

    forces = m.SocialForce.objects.bulk_create(
        [
            m.SocialForce(name="临沂市爱心志愿者协会", kind=ForceKind.ORGANISATION, contact="张华",
                          phone="13905391001", recorded_by=office),
            m.SocialForce(name="兰山区慈善总会", kind=ForceKind.ORGANISATION, contact="李娜", phone="13905391002",
                          recorded_by=office),
            m.SocialForce(name="临沂沂蒙物流有限公司", kind=ForceKind.ENTERPRISE, contact="王刚", phone="13905391003",
                          recorded_by=office),
            m.SocialForce(name="赵明", kind=ForceKind.INDIVIDUAL, phone="13905391004", recorded_by=office),
        ]
    )  # fmt: skip
    demo_town = Town.objects.filter(name=DEMO_TOWN_NAME).first()
    towns = list(Town.objects.order_by("code")[:4])
    contributions = []
    for index, town in enumerate(towns):
        village = next((v for v in key_villages if v.town_id == town.pk), None)
        contributions += [
            m.Contribution(force=forces[0], kind=ContributionKind.HOURS, given_on=today - dt.timedelta(days=10),
                           hours=Decimal(40 + 5 * index), town=town, village=village, description="入户走访",
                           recorded_by=office),
            m.Contribution(force=forces[1 + index % 3], kind=ContributionKind.MONEY,
                           given_on=today - dt.timedelta(days=20 + index), amount=Decimal(10000 * (index + 1)),
                           town=town, village=village, recorded_by=office),
        ]  # fmt: skip
    if demo_town is not None:
        contributions.append(
            m.Contribution(force=forces[2], kind=ContributionKind.GOODS, given_on=today - dt.timedelta(days=5),
                           amount=Decimal("15600"), description="冬衣200件", town=demo_town, recorded_by=office)
        )  # fmt: skip
    m.Contribution.objects.bulk_create(contributions)

    m.PovertyDayActivity.objects.bulk_create(
        [
            m.PovertyDayActivity(year=year, title=f"{year}年“10.17”扶贫日募捐活动", held_on=dt.date(year, 10, 17),
                                 organiser="区扶贫开发领导小组办公室", participants=300 + 50 * (year - 2018),
                                 recorded_by=office)
            for year in (2018, 2019, 2020)
            if dt.date(year, 10, 17) <= today
        ]
    )  # fmt: skip
    m.Commendation.objects.bulk_create(
        [
            m.Commendation(year=2019, nominee_kind=ForceKind.ENTERPRISE, nominee="临沂沂蒙物流有限公司",
                           reason="连续三年捐资助学", nominated_by="汪沟镇人民政府",
                           status=CommendationStatus.APPROVED, decided_by=office, decided_on=dt.date(2019, 10, 20),
                           recorded_by=office),
            m.Commendation(year=2019, nominee_kind=ForceKind.ORGANISATION, nominee="临沂市爱心志愿者协会",
                           reason="组织志愿者入户帮扶", nominated_by="区扶贫办",
                           status=CommendationStatus.APPROVED, decided_by=office, decided_on=dt.date(2019, 10, 20),
                           recorded_by=office),
            m.Commendation(year=today.year, nominee_kind=ForceKind.INDIVIDUAL, nominee="赵明",
                           reason="捐建村级文化广场", nominated_by="汪沟镇人民政府", recorded_by=office),
        ]
    )  # fmt: skip
    m.ResponsibilityRules.objects.bulk_create(
        [
            m.ResponsibilityRules(
                title="兰山区脱贫攻坚责任制实施细则", issued_on=dt.date(2018, 3, 15), recorded_by=office,
                text="第一条 区委、区政府对全区脱贫攻坚负总责。\n第二条 镇街党委、政府负主体责任。\n"
                     "第三条 村党组织书记、第一书记负直接责任。\n第四条 帮扶干部、行业部门按分工履行帮扶责任。",
            )
        ]
    )  # fmt: skip
    responsibilities = [
        m.Responsibility(level=ResponsibilityLevel.DISTRICT, holder="区委书记、区长", duty="全区脱贫攻坚第一责任人",
                         recorded_by=office),
        *[
            m.Responsibility(level=ResponsibilityLevel.DEPARTMENT, holder=f"{department.name}主要负责人",
                             duty="本行业扶贫任务", department=department, recorded_by=office)
            for department in departments
        ],
    ]  # fmt: skip
    if demo_town is not None:
        responsibilities.append(
            m.Responsibility(level=ResponsibilityLevel.TOWN, holder="汪沟镇党委书记", duty="全镇脱贫攻坚主体责任",
                             town=demo_town, recorded_by=office)
        )  # fmt: skip
    m.Responsibility.objects.bulk_create(responsibilities)

    sessions = [
        m.TrainingSession(level=TrainingLevel.DISTRICT, topic=TrainingTopic.POLICY, title="扶贫政策专题培训",
                          held_on=today - dt.timedelta(days=40), place="区委党校", recorded_by=office),
        m.TrainingSession(level=TrainingLevel.DISTRICT, topic=TrainingTopic.FUNDS_ASSETS, title="扶贫资金资产管理培训",
                          held_on=today - dt.timedelta(days=20), place="区委党校", recorded_by=office),
    ]  # fmt: skip
    if demo_town is not None:
        sessions.append(
            m.TrainingSession(level=TrainingLevel.TOWN, town=demo_town, topic=TrainingTopic.RISK, title="风险防范培训",
                              held_on=today - dt.timedelta(days=8), place="汪沟镇政府", recorded_by=office)
        )  # fmt: skip
    sessions = m.TrainingSession.objects.bulk_create(sessions)
    trainees = list(get_user_model().objects.filter(username__in=["demo_town", "demo_station", "demo_village"]))
    m.TrainingAttendance.objects.bulk_create(
        [
            m.TrainingAttendance(session=sessions[index % len(sessions)], staff=user)
            for index, user in enumerate(trainees)
        ]
    )
    written = (
        len(departments) + len(targets) + len(progress) + len(pairings) + len(support) + len(secretaries)
        + len(forces) + len(contributions) + len(sessions) + len(trainees)
    )  # fmt: skip
    return written
