from reporting.models.summary import FigureValue, SummaryBuild

__all__ = ["FigureValue", "SummaryBuild"]
