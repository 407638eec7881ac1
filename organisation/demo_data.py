"""Demo data for the zero-setup run: Lanshan's towns, plausible villages, one user per role.

The town names are Lanshan's real towns and streets (GLOSSARY.md). Their division codes follow the
national 9-digit pattern (district 371302 + 3 digits) in a fixed order and are *not* the official
codes: check them against the national division list before loading real data. Villages are
invented and marked ``is_demo``; so are the users' posts.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from organisation.models import District, StaffPost, Town, TownKind, Village
from organisation.roles import Role
from organisation.services import staff_post_assign

DISTRICT_NAME = "兰山区"
DISTRICT_CODE = "371302"

TOWNS = [
    ("兰山街道", TownKind.STREET),
    ("银雀山街道", TownKind.STREET),
    ("金雀山街道", TownKind.STREET),
    ("柳青街道", TownKind.STREET),
    ("南坊街道", TownKind.STREET),
    ("白沙埠镇", TownKind.TOWN),
    ("枣园镇", TownKind.TOWN),
    ("半程镇", TownKind.TOWN),
    ("义堂镇", TownKind.TOWN),
    ("李官镇", TownKind.TOWN),
    ("方城镇", TownKind.TOWN),
    ("汪沟镇", TownKind.TOWN),
    ("马厂湖镇", TownKind.TOWN),
    ("朱保镇", TownKind.TOWN),
    ("兰山经济开发区", TownKind.DEVELOPMENT_ZONE),
]

VILLAGES_PER_TOWN = 20
# Common place-name parts of the Linyi countryside; combined in a fixed order per town.
_FIRST = "王李张刘陈杨赵孙周吴徐马朱胡郭何高林罗郑"
_SECOND = ["庄", "家庄", "官庄", "屯", "埠", "岭", "沟", "湖", "河", "店", "营", "疃", "家岭", "家湖", "家屯"]
_COMMUNITY = ["东城", "西城", "南关", "北园", "新华", "和平", "兴隆", "育才", "金山", "银河",
              "书院", "文化", "花园", "桃园", "沂河", "祊河", "涑河", "孝友", "正阳", "启阳"]  # fmt: skip

DEMO_PASSWORD = "Lanshan-2018"
DEMO_TOWN_NAME = "汪沟镇"  # the four-rights model town of point 3


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    place: str


def _village_names(town_index: int, kind: str) -> list[str]:
    if kind == TownKind.STREET:
        return [f"{_COMMUNITY[(town_index * 7 + i) % len(_COMMUNITY)]}社区" for i in range(VILLAGES_PER_TOWN)]
    names = []
    for i in range(VILLAGES_PER_TOWN):
        first = _FIRST[(town_index * 3 + i) % len(_FIRST)]
        second = _SECOND[(town_index + i * 2) % len(_SECOND)]
        names.append(f"{first}{second}村")
    # Unique within the town, in case two combinations collide.
    return list(dict.fromkeys(names))


def _refreshed(model, lookup: dict, **values):
    """The row of ``lookup`` with ``values``, created or updated only when it differs: a second load writes nothing
    (``update_or_create`` saves every time)."""
    row, created = model.objects.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed and not created:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


@transaction.atomic
def demo_data_load() -> list[DemoLogin]:
    """Create or refresh the demo organisation and users; running it twice changes nothing."""
    district = _refreshed(District, {"code": DISTRICT_CODE}, name=DISTRICT_NAME)
    for town_index, (name, kind) in enumerate(TOWNS, start=1):
        code = f"{DISTRICT_CODE}{town_index:03d}"
        town = _refreshed(Town, {"district": district, "name": name}, kind=kind, code=code)
        for village_index, village_name in enumerate(_village_names(town_index, kind), start=1):
            Village.objects.get_or_create(
                town=town,
                name=village_name,
                defaults={
                    "code": f"{town.code}{200 + village_index:03d}",
                    "is_demo": True,
                    "is_key_village": village_index % 5 == 1,
                },
            )

    demo_town = Town.objects.get(district=district, name=DEMO_TOWN_NAME)
    demo_village = demo_town.villages.order_by("code").first()
    posts = [
        ("demo_office", "王敏", "区扶贫办", Role.DISTRICT_OFFICE, None, None),
        ("demo_finance", "李强", "区财政局", Role.DISTRICT_FINANCE, None, None),
        ("demo_audit", "赵军", "区审计局", Role.AUDIT, None, None),
        ("demo_town", "刘洋", "汪沟镇扶贫办", Role.TOWN_STAFF, demo_town, None),
        ("demo_town_finance", "陈静", "汪沟镇财政所", Role.TOWN_FINANCE, demo_town, None),
        ("demo_station", "杨帆", "汪沟镇经管站", Role.TOWN_STATION, demo_town, None),
        ("demo_village", "孙磊", f"{demo_village.name}村委会", Role.VILLAGE_CLERK, None, demo_village),
    ]
    User = get_user_model()
    logins = []
    for username, person, unit, role, town, village in posts:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": person})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        wanted = (role, town or (village and village.town), village)
        current = StaffPost.objects.filter(user=user).first()
        if not (current and (current.role, current.town, current.village) == wanted):
            staff_post_assign(user=user, role=role, town=town, village=village, work_unit=unit, is_demo=True)
        logins.append(DemoLogin(username=username, role=role, place=str(village or town or district)))
    return logins
