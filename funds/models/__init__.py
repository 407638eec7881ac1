from funds.choices import Hop, LoanStatus, PaymentRequestStatus, RepaymentInterval, ReportStatus, RiskBand, Unit
from funds.models.chain import Allocation, Holding, PaymentRequest, Transfer
from funds.models.findings import SupervisionFinding
from funds.models.loans import Installment, Loan, Repayment
from funds.models.policy import FundsPolicy
from funds.models.reports import MonthlyReport, MonthlyReportLine

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
