from .calendar import CalendarDay, CalendarDayKind, CalendarYear
from .exports import ExportJob, ExportStatus
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
    "ExportJob",
    "ExportStatus",
    "StaffPost",
    "Town",
    "TownGroupObjectPermission",
    "TownKind",
    "TownUserObjectPermission",
    "Village",
    "VillageGroupObjectPermission",
    "VillageUserObjectPermission",
]
