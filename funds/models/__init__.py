from funds.models.chain import Allocation, Holding, Hop, PaymentRequest, PaymentRequestStatus, Transfer, Unit
from funds.models.findings import SupervisionFinding
from funds.models.loans import Installment, Loan, LoanStatus, Repayment, RepaymentInterval, RiskBand
from funds.models.policy import FundsPolicy
from funds.models.reports import MonthlyReport, MonthlyReportLine, ReportStatus

__all__ = [
    "Allocation",
    "FundsPolicy",
    "Holding",
    "Hop",
    "Installment",
    "Loan",
    "LoanStatus",
    "MonthlyReport",
    "MonthlyReportLine",
    "PaymentRequest",
    "PaymentRequestStatus",
    "Repayment",
    "RepaymentInterval",
    "ReportStatus",
    "RiskBand",
    "SupervisionFinding",
    "Transfer",
    "Unit",
]
