from audits.models.imports import LedgerImport
from audits.models.ledger import (
    Evidence,
    LedgerCounter,
    LookBack,
    Measure,
    ProgressNote,
    RectificationItem,
)
from audits.models.plans import AuditEngagement, PlannedInspection
from audits.models.policy import AuditsPolicy
from audits.models.supervision import (
    Accountability,
    AccountabilityItem,
    Bulletin,
    BulletinItem,
    Interview,
    InterviewItem,
    OrderItem,
    SupervisionOrder,
)

__all__ = [
    "Accountability",
    "AccountabilityItem",
    "AuditEngagement",
    "AuditsPolicy",
    "Bulletin",
    "BulletinItem",
    "Evidence",
    "Interview",
    "InterviewItem",
    "LedgerCounter",
    "LedgerImport",
    "LookBack",
    "Measure",
    "OrderItem",
    "PlannedInspection",
    "ProgressNote",
    "RectificationItem",
    "SupervisionOrder",
]
