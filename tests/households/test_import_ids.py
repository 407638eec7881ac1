"""The import's bulk ID-number check gives exactly what ``id_number_parse`` gives, for good and bad numbers."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

from households.id_numbers import id_number_parse
from households.importing import id_number_parse_fast


def outcome(parse, value):
    try:
        return parse(value)
    except ValidationError as error:
        return error.messages


def candidates(seed: int = 11643, count: int = 20000):
    rng = random.Random(seed)
    today = timezone.localdate()
    yield from ["", " ", "x", "37130219700101001", "3713021970010100121", "37130219700230001X", "371302190001010011"]
    for _ in range(count):
        # Days up to 31 in any month: some dates do not exist.
        birth = f"{rng.randint(1890, today.year + 2)}{rng.randint(1, 12):02d}{rng.randint(1, 31):02d}"
        body = f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 999):03d}"
        number = body + ric.calc_check_digit(body + "0")
        shape = rng.random()
        if shape < 0.15:
            number = number[:-1] + rng.choice("0123456789X")  # often a wrong check digit
        elif shape < 0.25:
            number = number.lower()
        elif shape < 0.3:
            number = f" {number[:6]} {number[6:]} "
        elif shape < 0.35:
            number = number.replace(number[rng.randint(0, 16)], rng.choice("Ｏ一o-"), 1)
        elif shape < 0.4:
            number = number[: rng.randint(0, 17)]
        yield number


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bulk_check_agrees_with_id_number_parse(seed):
    today = timezone.localdate()
    for value in candidates(seed):
        fast = outcome(lambda number: id_number_parse_fast(number, today), value)
        slow = outcome(id_number_parse, value)
        if isinstance(slow, list):
            assert fast == slow, value
        else:
            assert fast == (slow.number, slow.birth_date, slow.sex), value
