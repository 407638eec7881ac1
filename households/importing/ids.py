"""Resident ID numbers in bulk: the import's fast path of ``households.id_numbers.id_number_parse``."""

import datetime as dt
import functools
import re

from households.choices import Sex
from households.id_numbers import CHECK_CHARACTERS, EARLIEST_BIRTH_YEAR, ID_NUMBER_PATTERN, id_number_parse

_ID_SHAPE = re.compile(ID_NUMBER_PATTERN, re.ASCII | re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def _birth_date(digits: str) -> dt.date | None:
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def id_number_parse_fast(value: str, today: dt.date) -> tuple[str, dt.date, str]:
    """``id_number_parse`` for well-formed numbers at a fraction of its cost: the same number, birth date
    and sex (``tests/households/test_import_ids.py`` compares them). Anything it cannot accept outright
    goes to ``id_number_parse``, whose ``ValidationError`` names the problem."""
    number = value.strip()
    if _ID_SHAPE.fullmatch(number):
        number = number.upper()
        birth_date = _birth_date(number[6:14])
        if (
            birth_date is not None
            and birth_date.year >= EARLIEST_BIRTH_YEAR
            and birth_date <= today
            and number[17] == _check_character(number)
        ):
            return number, birth_date, Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    resident = id_number_parse(value)
    return resident.number, resident.birth_date, resident.sex


def _check_character(number: str) -> str:
    """``id_check_character`` six times faster: the weights are 2^(18 - i) modulo 11 (``CHECK_WEIGHTS``) and
    13 = 2 modulo 11, so the 17 digits read in base 13 and doubled are the weighted sum modulo 11."""
    return CHECK_CHARACTERS[2 * int(number[:17], 13) % 11]
