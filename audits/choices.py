"""The audits app's choices, apart from its models so that its rules import no model."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """问题来源: where a problem was found. The first group are bodies outside the system; the second are records of
    this system that the daily ledger scan turns into items."""

    NATIONAL_ASSESSMENT = "national_assessment", _("National assessment")
    PROVINCIAL_ASSESSMENT = "provincial_assessment", _("Provincial assessment")
    CITY_ASSESSMENT = "city_assessment", _("City assessment")
    DISTRICT_ASSESSMENT = "district_assessment", _("District assessment")
    DISCIPLINE_INSPECTION = "discipline_inspection", _("Inspection by the discipline commission (巡察)")
    AUDIT = "audit", _("Audit by the audit bureau")
    SUPERVISION_VISIT = "supervision_visit", _("Supervision visit (督查督导)")
    SELF_CHECK = "self_check", _("Self-check")
    PUBLIC_COMPLAINT = "public_complaint", _("Public complaint")
    OVERDUE_TRANSFER = "overdue_transfer", _("Overdue transfer")
    LATE_MONTHLY_REPORT = "late_monthly_report", _("Late monthly report")
    SUPERVISION_FINDING = "supervision_finding", _("Supervision finding on funds")
    DATA_QUALITY = "data_quality", _("Data-quality problem")
    WEAK_PROJECT = "weak_project", _("Weak, idle or struggling project")
    LOAN_RISK = "loan_risk", _("Microcredit risk warning")


# Sources outside the system: their items are closed off by the district office or by the source's own body.
EXTERNAL_SOURCES = frozenset(
    {
        Source.NATIONAL_ASSESSMENT,
        Source.PROVINCIAL_ASSESSMENT,
        Source.CITY_ASSESSMENT,
        Source.DISTRICT_ASSESSMENT,
        Source.DISCIPLINE_INSPECTION,
        Source.AUDIT,
        Source.SUPERVISION_VISIT,
    }
)
# Sources the daily ledger scan raises from records of the other apps (one item per source record).
SYSTEM_SOURCES = frozenset(
    {
        Source.OVERDUE_TRANSFER,
        Source.LATE_MONTHLY_REPORT,
        Source.SUPERVISION_FINDING,
        Source.DATA_QUALITY,
        Source.WEAK_PROJECT,
        Source.LOAN_RISK,
    }
)


class Category(models.TextChoices):
    """问题类别: the four classes of point 19, funds, projects, the work-style problems of point 14, other."""

    IDENTIFICATION = "identification", _("Inaccurate identification")
    EXIT = "exit", _("Inaccurate exit")
    INFORMATION = "information", _("Inaccurate information")
    FILE = "file", _("Non-standard file")
    FUNDS = "funds", _("Funds")
    PROJECTS = "projects", _("Projects")
    FORMALISM = "formalism", _("Formalism")
    BUREAUCRATISM = "bureaucratism", _("Bureaucratism")
    PAPER_EXIT = "paper_exit", _("Exit on paper only (数字脱贫)")
    FALSE_EXIT = "false_exit", _("False exit (虚假脱贫)")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Being rectified")
    CLOSE_OFF_REQUESTED = "close_off_requested", _("Close-off requested")
    CLOSED = "closed", _("Closed off")


class LookBackOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Stayed fixed")
    REBOUND = "rebound", _("Rebounded: reopened")


class AccountabilityForm(models.TextChoices):
    """问责形式, lightest first."""

    REMINDER_TALK = "reminder_talk", _("Reminder talk (提醒谈话)")
    ADMONITION_TALK = "admonition_talk", _("Admonition talk (诫勉谈话)")
    CIRCULATED_CRITICISM = "circulated_criticism", _("Circulated criticism (通报批评)")
    ORGANISATIONAL_MEASURE = "organisational_measure", _("Organisational measure (组织处理)")
    DISCIPLINARY_SANCTION = "disciplinary_sanction", _("Party or administrative sanction (党纪政务处分)")
    JUDICIAL_REFERRAL = "judicial_referral", _("Referred to the judicial authorities (移送司法机关)")


class SupervisionBody(models.TextChoices):
    """Who plans and carries out an inspection or audit (point 19's supervision linkage)."""

    DISTRICT_OFFICE = "district_office", _("District poverty-alleviation office")
    AUDIT_BUREAU = "audit_bureau", _("Audit bureau")
    DISCIPLINE_COMMISSION = "discipline_commission", _("Discipline inspection commission")
    FINANCE_BUREAU = "finance_bureau", _("District finance bureau")
    ORGANISATION_DEPARTMENT = "organisation_department", _("Organisation department")
    PROCURATORATE = "procuratorate", _("Procuratorate")


class SubjectKind(models.TextChoices):
    """What a planned inspection or audit covers (point 6: by fund flow and project category; full coverage)."""

    TOWN = "town", _("A town")
    FUND_FLOW = "fund_flow", _("A fund flow (hop of the chain)")
    PROJECT_CATEGORY = "project_category", _("A project category")
    MICROCREDIT = "microcredit", _("Microcredit")


class Quarter(models.IntegerChoices):
    Q1 = 1, _("First quarter")
    Q2 = 2, _("Second quarter")
    Q3 = 3, _("Third quarter")
    Q4 = 4, _("Fourth quarter")
