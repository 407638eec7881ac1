from .calendar import CalendarDay, CalendarDayKind, CalendarYear
from .structure import (
    District,
    StaffPost,
    Town,
    TownGroupObjectPermission,
    TownKind,
    TownUserObjectPermission,
    Village,
    VillageGroupObjectPermission,
    VillageUserObjectPermission,
)

__all__ = [
    "CalendarDay",
    "CalendarDayKind",
    "CalendarYear",
    "District",
    "StaffPost",
    "Town",
    "TownGroupObjectPermission",
    "TownKind",
    "TownUserObjectPermission",
    "Village",
    "VillageGroupObjectPermission",
    "VillageUserObjectPermission",
]
