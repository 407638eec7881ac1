"""The rules of points 15 to 18 the people-and-partners records follow: constants and pure functions."""

from decimal import ROUND_HALF_UP, Decimal

# 社会监督评议: the public page takes evaluations, a few per address an hour, so one sender cannot flood the office's
# moderation queue.
EVALUATIONS_PER_ADDRESS = 3
EVALUATION_WINDOW_SECONDS = 3600
EVALUATION_MAX_CHARS = 2000


def target_progress_rate(achieved: Decimal, target: Decimal) -> Decimal:
    """业绩公示: the share of a year's target achieved, as a percent with one place (the quarters' sum over the
    target; more than the target reads above 100)."""
    if target <= 0:
        return Decimal("0.0")
    return (achieved * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def phone_mask(phone: str) -> str:
    """A contact's phone kept private: the first three and last four digits shown, the rest hidden
    ("13905390000" -> "139****0000"); a short number shows its last two only."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 8:
        return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
    return f"{'*' * max(len(phone) - 2, 0)}{phone[-2:]}"
