"""The demo's rectification ledger (整改台账, points 19 and 20): problems a district assessment and an audit found some
weeks ago, walked through the real services by the posts that do each step, most of them fixed and closed off.

The daily ledger scan raises the demo's other items (data-quality problems, overdue money, weak projects, late loans)
on the day the demo loads; those stay open, as their sources do. The items here were raised 3 to 7 weeks before the
load: each gets its measures (the town's staff or the district office), a progress note (a village clerk on the
measure assigned to them), evidence, the close-off request and its verification (the district office for the
assessment's items, the audit bureau for its own), so the ledger's completion rate tells a true story instead of 0%.
The services stamp today; only the dates are set back afterwards, in order (raised, measures done, evidence, request,
close-off, look-back), none later than today (in early January an item raised in December keeps this year's number:
the services number it on the day they ran).
A second load writes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from audits.choices import Category, Source
from audits.models import Evidence, LookBack, ProgressNote, RectificationItem
from audits.services import ledger
from organisation.demo_data import DEMO_TOWN_NAME
from organisation.models import Town
from organisation.workdays import WorkingCalendar

ASSESSMENT_REFERENCE = "兰山区脱贫攻坚成效考核反馈意见"
AUDIT_REFERENCE = "兰山区审计局扶贫资金专项审计报告"

CLOSED, REQUESTED, OPEN = "closed", "requested", "open"

# A one-page PDF: the scanned proof of the fix (the evidence check reads the content, not only the name).
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoItem:
    category: str
    problem: str
    measure: str
    fate: str
    # Working days to fix it: the assessment's own limit; a short one is missed now and then (closed late).
    working_days: int = 20


# The district assessment's findings in the demo town: its staff fix them, the district office verifies.
ASSESSMENT_ITEMS = [
    DemoItem(Category.INFORMATION, "部分贫困户明白卡未及时更新2026年家庭收入", "逐户核对收入并更新明白卡", CLOSED),
    DemoItem(Category.EXIT, "3户脱贫户退出档案缺少户主签字确认", "补齐退出确认签字并归档", CLOSED, 10),
    DemoItem(Category.FUNDS, "村级扶贫资金公示栏未按月更新", "按月更新公示并留存照片", CLOSED),
    DemoItem(Category.FORMALISM, "帮扶责任人入户走访记录内容雷同", "重新入户走访，据实填写记录", CLOSED),
    DemoItem(Category.FILE, "2户危房改造竣工验收资料不全", "补做竣工验收并补齐资料", CLOSED, 10),
    DemoItem(Category.PROJECTS, "扶贫车间就业台账与工资发放记录不一致", "核对工资记录，重建就业台账", REQUESTED),
    DemoItem(Category.INFORMATION, "个别贫困户成员医保参保信息与医保数据不一致", "与医保部门逐人比对", OPEN),
]

# The audit bureau's findings in other towns: the district office sees to them, the audit bureau verifies.
AUDIT_ITEMS = [
    DemoItem(Category.FUNDS, "扶贫项目资金拨付凭证缺少经办人签字", "补签凭证，完善拨付审批流程", CLOSED),
    DemoItem(Category.PROJECTS, "光伏扶贫电站收益分配方案未经村民代表大会通过", "召开村民代表大会审议", CLOSED),
    DemoItem(Category.PROJECTS, "产业项目资产未登记入村集体资产台账", "确权登记并录入村集体资产台账", CLOSED, 10),
    DemoItem(Category.FUNDS, "以奖代补资金发放名册与银行流水不符", "逐笔核对流水，更正发放名册", CLOSED),
    DemoItem(Category.INFORMATION, "2户家庭人口数与户籍登记不一致", "与派出所核对户籍，更正档案", CLOSED),
    DemoItem(Category.FUNDS, "小额信贷贴息资金拨付滞后", "清算应贴息额并拨付到位", CLOSED, 10),
    DemoItem(Category.FILE, "扶贫公益岗位人员考勤记录缺失", "建立考勤制度并补录记录", CLOSED),
    DemoItem(Category.IDENTIFICATION, "2户识别时家庭收入测算未扣除生产性支出", "重新测算收入并经民主评议", CLOSED),
    DemoItem(Category.FUNDS, "村级互助资金借款逾期未收回", "逐户催收并制定还款计划", OPEN),
]


def _user(username: str) -> User:
    return get_user_model().objects.get(username=username)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@dataclass(frozen=True)
class _Posts:
    raiser: User
    keeper: User
    verifier: User
    source: str
    reference: str


@transaction.atomic
def demo_ledger_load() -> int:
    """Raise and walk the demo's hand-raised ledger items once; how many were raised (0 when they exist)."""
    if RectificationItem.objects.filter(source_reference=ASSESSMENT_REFERENCE).exists():
        return 0
    office, audit, staff = _user("demo_office"), _user("demo_audit"), _user("demo_town")
    clerk = _user("demo_village")
    demo_town = Town.objects.get(name=DEMO_TOWN_NAME)
    others = list(Town.objects.exclude(pk=demo_town.pk).order_by("code"))
    assessment = _Posts(office, staff, office, Source.DISTRICT_ASSESSMENT, ASSESSMENT_REFERENCE)
    audited = _Posts(audit, office, audit, Source.AUDIT, AUDIT_REFERENCE)
    walks = [(assessment, demo_town, item) for item in ASSESSMENT_ITEMS]
    walks += [(audited, others[index % len(others)], item) for index, item in enumerate(AUDIT_ITEMS)]
    today = timezone.localdate()
    calendar = WorkingCalendar.load()
    for number, (posts, town, demo) in enumerate(walks):
        # Raised 7 weeks ago for the first, two days later for each next one.
        raised_on = today - dt.timedelta(days=48 - 2 * number)
        _walk(posts, town, demo, raised_on=raised_on, number=number, clerk=clerk, calendar=calendar, today=today)
    return len(walks)


def _walk(posts: _Posts, town: Town, demo: DemoItem, *, raised_on, number: int, clerk, calendar, today) -> None:
    def day(after: int) -> dt.date:
        return min(raised_on + dt.timedelta(days=after), today)

    in_demo_village = clerk.staff_post.village.town_id == town.pk
    item = ledger.item_raise(
        user=posts.raiser,
        source=posts.source,
        category=demo.category,
        town=town,
        village=clerk.staff_post.village if in_demo_village else None,
        description=demo.problem,
        responsible_unit=f"{town.name}人民政府",
        responsible_person=posts.keeper.first_name or posts.keeper.username,
        responsible_user=posts.keeper,
        time_limit_working_days=demo.working_days,
        source_reference=posts.reference,
    )
    RectificationItem.objects.filter(pk=item.pk).update(raised_at=_at(raised_on), clock_start=raised_on)
    item.refresh_from_db()
    item.refresh_due(calendar)
    item.save(update_fields=["due_date", "due_is_provisional"])

    measure = ledger.measure_add(
        user=posts.keeper,
        item=item,
        description=demo.measure,
        owner_unit=f"{town.name}扶贫办",
        due_on=day(14),
        owner_user=clerk if in_demo_village else None,
    )
    note = ledger.progress_note_add(
        user=clerk if in_demo_village else posts.keeper, measure=measure, text="已完成摸底核查，正在逐项整改。"
    )
    ProgressNote.objects.filter(pk=note.pk).update(written_at=_at(day(5)))
    if demo.fate == OPEN:
        return
    done_on = day(10 + number % 5)
    ledger.measure_done(user=posts.keeper, measure=measure, done_on=done_on)
    upload = SimpleUploadedFile("整改佐证材料.pdf", EVIDENCE_PDF, content_type="application/pdf")
    evidence = ledger.evidence_upload(user=posts.keeper, item=item, upload=upload)
    Evidence.objects.filter(pk=evidence.pk).update(uploaded_at=_at(done_on))
    ledger.close_off_request(user=posts.keeper, item=item, note=f"{demo.measure}，整改已完成，佐证材料已上传。")
    requested_on = min(done_on + dt.timedelta(days=1), today)
    RectificationItem.objects.filter(pk=item.pk).update(close_requested_at=_at(requested_on))
    if demo.fate == REQUESTED:
        return
    ledger.close_off_verify(user=posts.verifier, item=item, approve=True, note="经实地核查，整改到位，同意销号。")
    closed_on = min(requested_on + dt.timedelta(days=2 + number % 3), today)
    item.refresh_from_db()
    RectificationItem.objects.filter(pk=item.pk).update(
        closed_on=closed_on, closed_late=item.due_date is not None and closed_on > item.due_date
    )
    look_back = LookBack.objects.get(item=item)
    look_back.clock_start = closed_on
    look_back.refresh_due(calendar)
    look_back.save(update_fields=["clock_start", "due_date", "due_is_provisional"])
