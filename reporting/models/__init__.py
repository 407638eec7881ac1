from reporting.models.reports import MoneyUnit, ReportStatus, WorkReport
from reporting.models.summary import FigureValue, SummaryBuild

__all__ = ["FigureValue", "MoneyUnit", "ReportStatus", "SummaryBuild", "WorkReport"]
