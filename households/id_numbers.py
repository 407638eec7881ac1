"""Resident ID numbers (公民身份号码, GB 11643-1999): checking, what they tell, and masking.

Checked: 18 characters, 17 digits then a digit or X, a real birth date (not in the future), and the
ISO 7064 MOD 11-2 check digit. The place code is not checked against a list: counties were renamed and
merged since many numbers were issued, and the number stays valid.

``id_number_parse`` is the reference. Two fast paths check the same standard with the constants below: the
import's (``households.importing.ids``) and the data-quality rule's in SQL (``households.quality_rules``);
``tests/households/test_id_numbers.py`` holds both to the reference on thousands of numbers.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from households.choices import Sex

EARLIEST_BIRTH_YEAR = 1900
# The shape of a number: 17 digits, then a digit or X (a lowercase x is read as X).
ID_NUMBER_PATTERN = "[0-9]{17}[0-9X]"
# ISO 7064 MOD 11-2: the i-th of the first 17 digits weighs 2^(18 - i) modulo 11 (7, 9, 10, 5, 8, 4, 2, 1, 6, 3,
# 7, ...), and the remainder of the weighted sum modulo 11 picks the check character.
CHECK_WEIGHTS = tuple(pow(2, 18 - position, 11) for position in range(1, 18))
CHECK_CHARACTERS = "10X98765432"


def id_check_character(body: str) -> str:
    """The check character that the 17 digits ``body`` call for."""
    weighted = sum(int(digit) * weight for digit, weight in zip(body, CHECK_WEIGHTS, strict=True))
    return CHECK_CHARACTERS[weighted % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: Sex


def id_number_parse(value: str) -> ResidentId:
    """The checked, upper-case number with the birth date and sex it carries; ``ValidationError`` in
    plain words naming what is wrong."""
    number = ric.compact(value or "")
    if not number:
        raise ValidationError(_("The resident ID number is empty."), code="id_empty")
    if len(number) != 18:
        raise ValidationError(
            _("The resident ID number has %(count)d characters; it must have 18.") % {"count": len(number)},
            code="id_length",
        )
    if not re.fullmatch(ID_NUMBER_PATTERN, number):
        raise ValidationError(
            _("The resident ID number may only hold digits, and an X as its last character."), code="id_characters"
        )
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the resident ID number (%(date)s) is not a real date.")
            % {"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"},
            code="id_birth_date",
        ) from None
    if birth_date.year < EARLIEST_BIRTH_YEAR or birth_date > timezone.localdate():
        raise ValidationError(
            _("The birth date in the resident ID number (%(date)s) is impossible.") % {"date": birth_date.isoformat()},
            code="id_birth_date",
        )
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit of the resident ID number is %(actual)s but should be %(expected)s: a digit is wrong.")
            % {"actual": number[17], "expected": expected},
            code="id_check_digit",
        )
    return ResidentId(number=number, birth_date=birth_date, sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)


def id_number_mask(number: str) -> str:
    """The first six and last four characters; the rest hidden (110105********123X)."""
    if len(number) <= 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
