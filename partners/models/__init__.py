from partners.models.forces import Commendation, Contribution, PovertyDayActivity, PublicEvaluation, SocialForce
from partners.models.people import (
    FirstSecretary,
    Responsibility,
    ResponsibilityRules,
    TrainingAttendance,
    TrainingSession,
    WorkTeamMember,
)
from partners.models.sectors import Department, Pairing, PairingSupport, PlanTarget, TargetProgress

__all__ = [
    "Commendation",
    "Contribution",
    "Department",
    "FirstSecretary",
    "Pairing",
    "PairingSupport",
    "PlanTarget",
    "PovertyDayActivity",
    "PublicEvaluation",
    "Responsibility",
    "ResponsibilityRules",
    "SocialForce",
    "TargetProgress",
    "TrainingAttendance",
    "TrainingSession",
    "WorkTeamMember",
]
