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
