from .cadres import CADRE_HOUSEHOLD_LIMIT, DEFAULT_TERM_END, Cadre, CadreAssignment
from .education import CareRoom, EducationAid, LeftBehindChild
from .household import DibaoStandard, Household, Income, Member, PovertyLine, StatusEvent
from .imports import ImportJob, ImportRowError, ImportStatus
from .living import RenovationPlan, WaterSample, WaterSupplySurvey
from .privacy import IdNumberReveal
from .quality import ProblemClass, QualityProblem, QualityRun, QualityRunStatus, TownQualityScore
from .safety import DibaoEnrolment, HospitalStay, InsuranceEnrolment, InsuranceScheme

__all__ = [
    "CADRE_HOUSEHOLD_LIMIT",
    "DEFAULT_TERM_END",
    "Cadre",
    "CadreAssignment",
    "CareRoom",
    "DibaoEnrolment",
    "DibaoStandard",
    "EducationAid",
    "HospitalStay",
    "Household",
    "IdNumberReveal",
    "ImportJob",
    "ImportRowError",
    "ImportStatus",
    "Income",
    "InsuranceEnrolment",
    "InsuranceScheme",
    "LeftBehindChild",
    "Member",
    "PovertyLine",
    "ProblemClass",
    "QualityProblem",
    "QualityRun",
    "QualityRunStatus",
    "RenovationPlan",
    "StatusEvent",
    "TownQualityScore",
    "WaterSample",
    "WaterSupplySurvey",
]
