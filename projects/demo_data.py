"""Demo industry projects for the zero-setup run: the review committee, and projects of 汪沟镇 at every state.

Everything is invented. Every step is taken through the real services by the demo users of
``organisation.demo_data`` (the town staff propose and build, the district office reviews, publishes and
approves, the station puts a project on the three-assets platform), each dated some days back from today, so the
demo always shows a publicity running now, one just approved, a return with its reasons, and so on.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from funds.models import Allocation, Hop, Transfer
from organisation.demo_data import DEMO_TOWN_NAME
from organisation.models import Town
from organisation.periods import twelve_months_ending
from projects.models import (
    Category,
    IndustryProject,
    InvestmentSource,
    Opinion,
    ProjectsPolicy,
    ProjectStatus,
    ReviewDepartment,
)
from projects.services import income, lifecycle, proposals, review
from projects.services.rights import three_assets_register
from projects.services.yields import default_period_end

S = ProjectStatus
DEPARTMENTS = ["区财政局", "区审计局", "区农业农村局", "区自然资源局"]
# The main path a demo project walks, in order.
PATH = [S.PROPOSAL, S.REVIEW, S.PUBLICITY, S.APPROVED, S.CONSTRUCTION, S.COMPLETED, S.OPERATING]

# (name, category, content, scale, first village index, investments, status, days ago it was proposed). A name with
# {village} is a village's project: it is named after the first of the two villages it is listed under.
PROJECTS = [
    ("{village}食用菌种植大棚", Category.FARMING, "新建食用菌出菇大棚12个及冷库1座", "大棚12个，冷库200立方米", 0,
     [(InvestmentSource.CENTRAL, "600000"), (InvestmentSource.COLLECTIVE, "50000")], S.PROPOSAL, 3),
    ("汪沟镇农村电商服务中心", Category.ECOMMERCE, "建设镇级电商服务中心及10个村级服务站", "村级站10个", 1,
     [(InvestmentSource.PROVINCIAL, "400000"), (InvestmentSource.DISTRICT, "100000")], S.REVIEW, 12),
    ("沂河岸乡村旅游步道", Category.TOURISM, "沿河修建旅游步道及观景平台", "步道3.5公里，观景平台2处", 2,
     [(InvestmentSource.CENTRAL, "900000")], "returned", 25),
    ("汪沟镇扶贫车间标准化厂房", Category.FARMING, "新建标准化厂房用于农产品初加工，吸纳贫困劳动力就业",
     "厂房1200平方米", 3, [(InvestmentSource.CENTRAL, "1200000"), (InvestmentSource.CITY, "300000")], S.PUBLICITY, 9),
    ("沂蒙田园综合体一期", Category.PASTORAL, "建设采摘园、农耕体验区及配套道路", "占地260亩", 4,
     [(InvestmentSource.PROVINCIAL, "2000000"), (InvestmentSource.ENTERPRISE, "800000")], S.APPROVED, 30),
    ("{village}果蔬分拣车间", Category.FARMING, "建设果蔬分拣包装车间及设备", "车间600平方米，分拣线2条", 5,
     [(InvestmentSource.CENTRAL, "700000")], S.CONSTRUCTION, 120),
    ("{village}冷链仓储库", Category.FARMING, "新建冷链仓储库及配套设施", "冷库1500立方米", 6,
     [(InvestmentSource.CENTRAL, "850000"), (InvestmentSource.DISTRICT, "150000")], S.COMPLETED, 240),
    ("{village}光伏扶贫电站", Category.OTHER, "村级光伏扶贫电站，收益用于村集体和贫困户", "装机300千瓦", 7,
     [(InvestmentSource.CENTRAL, "1800000")], S.OPERATING, 600),
    ("{village}黑木耳加工厂", Category.FARMING, "黑木耳烘干、分级、包装生产线", "生产线1条，厂房800平方米", 8,
     [(InvestmentSource.PROVINCIAL, "650000")], S.SUSPENDED, 450),
    ("{village}肉牛养殖场", Category.FARMING, "标准化肉牛养殖棚舍及粪污处理设施", "存栏200头", 9,
     [(InvestmentSource.CENTRAL, "1000000")], S.CONVERTED, 700),
]  # fmt: skip

# Projects built before the system, entered as operating (point 3: every project since 2014), each paying the
# income of its yearly yield in four quarterly instalments: most above the 6% floor, two below it (the yield job
# flags those and opens their rectification plans).
# (name, category, content, scale, village index, investment, year built, yearly yield)
EXISTING = [
    ("汪沟镇2016年扶贫产业大棚", Category.FARMING, "2016年建成的冬暖式蔬菜大棚，租赁给合作社经营", "大棚30个", 10,
     "1500000", 2016, "0.072"),
    ("{village}村级光伏电站", Category.OTHER, "村级光伏扶贫电站，发电收益归村集体", "装机200千瓦", 12, "1200000",
     2017, "0.095"),
    ("{village}冬暖式蔬菜大棚", Category.FARMING, "冬暖式蔬菜大棚，租赁给种植大户", "大棚12个", 13, "600000", 2017,
     "0.081"),
    ("{village}扶贫加工车间", Category.FARMING, "农产品初加工车间，租赁给加工企业", "车间800平方米", 14, "1000000",
     2018, "0.068"),
    ("{village}果蔬冷藏库", Category.FARMING, "果蔬冷藏库，租赁给购销合作社", "冷库1000立方米", 15, "500000", 2018,
     "0.104"),
    ("{village}乡村旅游民宿", Category.TOURISM, "闲置农房改造民宿，委托旅游公司经营", "客房16间", 16, "900000", 2019,
     "0.064"),
    ("{village}小杂粮加工厂", Category.FARMING, "小杂粮加工生产线，租赁给加工户", "生产线1条", 17, "700000", 2017,
     "0.043"),
    ("{village}电商服务站", Category.ECOMMERCE, "村级电商服务站，委托快递企业经营", "服务站1处", 18, "300000", 2020,
     "0.021"),
]  # fmt: skip


# The operators who lease the projects and pay their income (invented).
OPERATORS = [
    "兰山区沂蒙绿源农业专业合作社",
    "临沂汪沟农产品加工有限公司",
    "兰山区鑫农种植专业合作社",
    "临沂沂河旅游发展有限公司",
]


def _name(name: str, villages, village: int) -> str:
    return name.format(village=villages[village % len(villages)].name)


def _incomes(project: IndustryProject, *, station, rate: Decimal) -> None:
    """The four quarterly payments of the twelve months the yield job assesses next, each received by the
    operator's rent day at the end of its quarter, at ``rate`` of the project's investment a year."""
    investment = sum(item.amount for item in project.investments.all())
    quarterly = (investment * rate / 4).quantize(Decimal("0.01"))
    first_day, _last_day = twelve_months_ending(default_period_end())
    for quarter in range(4):
        start = _months_after(first_day, quarter * 3)
        end = _months_after(start, 3) - dt.timedelta(days=1)
        income.income_record(
            user=station,
            project=project,
            period_start=start,
            period_end=end,
            amount=quarterly,
            received_on=end - dt.timedelta(days=5),
            payer=OPERATORS[project.pk % len(OPERATORS)],
        )


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.year * 12 + day.month - 1 + months
    return dt.date(month // 12, month % 12 + 1, day.day)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _departments() -> list[ReviewDepartment]:
    departments = []
    for order, name in enumerate(DEPARTMENTS, start=1):
        department, _created = ReviewDepartment.objects.get_or_create(name=name, defaults={"sort_order": order})
        departments.append(department)
    return departments


def _allocation_for(town: Town) -> Allocation | None:
    """An allocation already allotted to the town (the funds demo's), for one investment to point at."""
    transfer = Transfer.objects.filter(town=town, hop=Hop.TO_TOWN).select_related("allocation").first()
    return transfer.allocation if transfer else None


@transaction.atomic
def demo_projects_load() -> int:
    """Create the demo committee and projects once; returns how many projects were created (0 when they exist)."""
    town = Town.objects.get(name=DEMO_TOWN_NAME)
    villages = list(town.villages.order_by("code"))
    if IndustryProject.objects.filter(town=town, name=_name(PROJECTS[0][0], villages, PROJECTS[0][4])).exists():
        return 0
    staff, office, station = _user("demo_town"), _user("demo_office"), _user("demo_station")
    departments = _departments()
    ProjectsPolicy.current()
    allocation = _allocation_for(town)

    for index, (name, category, content, scale, village, money, status, proposed) in enumerate(PROJECTS):
        investments = [(source, Decimal(amount)) for source, amount in money]
        if index == 0 and allocation is not None:
            investments[0] = (*investments[0], allocation)
        project = proposals.project_propose(
            user=staff,
            town=town,
            villages=[villages[village % len(villages)], villages[(village + 5) % len(villages)]],
            name=_name(name, villages, village),
            category=category,
            content=content,
            scale=scale,
            implementing_unit=f"{DEMO_TOWN_NAME}人民政府",
            planned_start=_ago(proposed - 30),
            planned_completion=_ago(proposed - 240),
            investments=investments,
            proposed_on=_ago(proposed),
        )
        _walk(project, status, proposed, staff=staff, office=office, station=station, departments=departments)
        if status == S.OPERATING:
            project.refresh_from_db()
            _incomes(project, station=station, rate=Decimal("0.082"))

    for name, category, content, scale, village, amount, built, rate in EXISTING:
        project = proposals.project_register_existing(
            user=office,
            town=town,
            villages=[villages[village % len(villages)]] if "{village}" in name else villages[village : village + 2],
            name=_name(name, villages, village),
            category=category,
            content=content,
            scale=scale,
            implementing_unit=f"{DEMO_TOWN_NAME}人民政府",
            investments=[(InvestmentSource.CENTRAL, Decimal(amount))],
            status=S.OPERATING,
            construction_started_on=dt.date(built, 3, 1),
            completed_on=dt.date(built, 9, 30),
            operation_started_on=dt.date(built, 10, 15),
            three_assets_number=f"SZ-371302012-{built}-{village + 1:03d}",
            note=f"{built}年建成，按四权分置录入",
        )
        _incomes(project, station=station, rate=Decimal(rate))
    return len(PROJECTS) + len(EXISTING)


def _walk(project, status, proposed: int, *, staff, office, station, departments) -> None:
    """Take a proposal to ``status``: submitted 2 days after it was proposed, published 3 days later (7 days),
    approved the day after, built and run on the days below."""
    target = S.OPERATING if status in (S.SUSPENDED, S.CONVERTED) else status
    if status == "returned":
        lifecycle.project_submit_for_review(user=staff, project=project, submitted_on=_ago(proposed - 2))
        for department, opinion, comments in [
            (departments[0], Opinion.AGREE, ""),
            (departments[1], Opinion.AGREE, ""),
            (departments[2], Opinion.AGREE_WITH_CONDITIONS, "步道须避开河道管理范围"),
            (departments[3], Opinion.DISAGREE, "部分路段占用基本农田，请调整选址"),
        ]:
            review.review_opinion_record(
                user=office, project=project, department=department, opinion=opinion, comments=comments
            )
        review.review_return(user=office, project=project, returned_on=_ago(proposed - 6), note="调整选址后重新申报")
        return
    steps = PATH[1 : PATH.index(target) + 1]
    if S.REVIEW in steps:
        lifecycle.project_submit_for_review(user=staff, project=project, submitted_on=_ago(proposed - 2))
    if target == S.REVIEW:
        for department in departments[:2]:
            review.review_opinion_record(user=office, project=project, department=department, opinion=Opinion.AGREE)
        return
    if S.PUBLICITY in steps:
        for department in departments:
            review.review_opinion_record(user=office, project=project, department=department, opinion=Opinion.AGREE)
        publicity = review.publicity_open(user=office, project=project, starts_on=_ago(proposed - 5))
        objection = review.objection_record(
            user=office,
            publicity=publicity,
            received_on=publicity.starts_on + dt.timedelta(days=1),
            raised_by="村民代表",
            content="希望优先吸纳本村贫困劳动力",
        )
        if target != S.PUBLICITY:
            review.objection_answer(
                user=office,
                objection=objection,
                answer="已写入项目实施方案，优先安排本村贫困劳动力",
                answered_on=publicity.starts_on + dt.timedelta(days=3),
            )
            review.project_approve(user=office, project=project, approved_on=publicity.ends_on + dt.timedelta(days=1))
    if S.CONSTRUCTION in steps:
        lifecycle.project_start_construction(user=staff, project=project, started_on=_ago(proposed - 20))
    if S.COMPLETED in steps:
        lifecycle.project_complete(user=staff, project=project, accepted_on=_ago(proposed - 120), note="竣工验收合格")
    if S.OPERATING in steps:
        three_assets_register(user=station, project=project, number=f"SZ-{project.code}")
        lifecycle.project_start_operation(user=staff, project=project, started_on=_ago(proposed - 130))
    if status == S.SUSPENDED:
        lifecycle.project_suspend(
            user=staff, project=project, suspended_on=_ago(30), reason="经营主体资金链断裂，暂停经营"
        )
    if status == S.CONVERTED:
        lifecycle.project_convert(
            user=office, project=project, converted_on=_ago(60), reason="收益率连续低于6%，转为村集体光伏项目"
        )
