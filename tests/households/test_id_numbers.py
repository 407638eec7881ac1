"""GB 11643 is checked in three places: ``id_number_parse`` (the reference), the import's fast path and the
data-quality rule's SQL (behind the column's constraint, which holds the shape). Both fast paths are held to the
reference on thousands of generated numbers: every check character for many bodies, one digit changed in every
position, impossible and edge birth dates, wrong lengths, a lowercase x, letters and other characters in the
body, surrounding spaces.
"""

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from stdnum.cn import ric

from households.id_numbers import (
    CHECK_CHARACTERS,
    CHECK_WEIGHTS,
    ID_NUMBER_PATTERN,
    id_check_character,
    id_number_parse,
)
from households.importing import id_number_parse_fast
from households.quality_rules import rule_get
from tests.factories.households import HouseholdFactory, members_with_id_numbers

SEED = 11643
SHAPE = f"^{ID_NUMBER_PATTERN}$"  # as the column's constraint and the rule's SQL hold it


def outcome(parse, value):
    """What a parse gives: the (number, birth date, sex) it accepts, or the code and messages it refuses with."""
    try:
        accepted = parse(value)
    except ValidationError as error:
        return ("refused", error.code, error.messages)
    if not isinstance(accepted, tuple):
        accepted = (accepted.number, accepted.birth_date, accepted.sex)
    return ("accepted", *accepted)


def generated_numbers(today: dt.date) -> list[str]:
    """Several thousand candidate numbers, the same on every run; valid ones among them."""
    rng = random.Random(SEED)

    def real_birth(first=1900, last=today.year) -> str:
        day = dt.date(first, 1, 1) + dt.timedelta(
            days=rng.randrange((dt.date(last, 12, 31) - dt.date(first, 1, 1)).days)
        )
        return f"{min(day, today):%Y%m%d}"

    def body(birth: str) -> str:
        return f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 999):03d}"

    def valid() -> str:
        made = body(real_birth())
        return made + id_check_character(made)

    numbers = []
    # Every check character after many bodies: one is right, ten are wrong.
    for _ in range(300):
        made = body(real_birth())
        numbers += [made + character for character in CHECK_CHARACTERS]
    # One digit changed in each of the 17 positions of a valid number.
    for _ in range(60):
        number = valid()
        for position in range(17):
            digit = rng.choice([digit for digit in "0123456789" if digit != number[position]])
            numbers.append(number[:position] + digit + number[position + 1 :])
    # Birth dates: impossible ones (29 February of a year that is not leap, month 00 or 13, day 00 or 32, the
    # 31st of a 30-day month), leap days that exist, the first allowed day, the day before it, today, the
    # future; each with the check character it calls for and with another.
    tomorrow = today + dt.timedelta(days=1)
    births = [
        *("19000229", "19010229", "20010229", "20190229", "21000229", "19800230"),
        *("19801301", "19800001", "19800100", "19800132", "19800431", "19800631", "19800931", "19801131"),
        *("19960229", "20000229", "20040229", "19000101", "18991231", "00000000", "99999999"),
        f"{today:%Y%m%d}",
        f"{tomorrow:%Y%m%d}",
        f"{today.year + 1}0101",
    ]
    for birth in births:
        for _ in range(6):
            made = body(birth)
            right = id_check_character(made)
            numbers += [made + right, made + rng.choice(CHECK_CHARACTERS.replace(right, ""))]
    # A lowercase x: as the check character it calls for, as a wrong one, and in the body.
    while sum(number.endswith("x") for number in numbers) < 60:
        made = body(real_birth())
        if id_check_character(made) == "X":
            numbers += [made + "x", made[:-1] + str((int(made[-1]) + 1) % 10) + "x"]
    for _ in range(30):
        number = valid()
        position = rng.randrange(17)
        numbers.append(number[:position] + "x" + number[position + 1 :])
    # Wrong lengths: every length from 0 to 25, cut from or added to valid numbers, and old 15-digit numbers.
    for length in range(26):
        for _ in range(4):
            number = valid() + "".join(rng.choice("0123456789") for _ in range(8))
            numbers.append(number[:length])
    numbers += [
        f"{rng.randint(110000, 659999)}{rng.randint(0, 99):02d}0101{rng.randint(0, 999):03d}" for _ in range(10)
    ]
    # Letters and other characters in the body, or as the check character.
    for character in ("A", "X", "O", "Ｏ", "一", "-", " ", ".", "٣", "３", "Z"):
        for _ in range(12):
            number = valid()
            position = rng.randrange(18)
            numbers.append(number[:position] + character + number[position + 1 :])
    # Spaces around a valid number and inside it.
    for _ in range(20):
        number = valid()
        numbers += [f" {number}", f"{number} ", f"{number[:6]} {number[6:]}", f"\t{number}\n"]
    return numbers


def test_the_reference_weights_and_check_characters_are_those_of_the_standard():
    # GB 11643-1999 table 1 (weights of positions 1 to 17) and the MOD 11-2 check characters of remainders 0-10.
    assert CHECK_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert CHECK_CHARACTERS == "10X98765432"
    # and python-stdnum, written independently, computes the same check character for every body
    bodies = {number[:17] for number in generated_numbers(dt.date(2019, 6, 1)) if len(number) >= 17}
    bodies = {body for body in bodies if body.isascii() and body.isdigit()}
    assert len(bodies) > 500
    assert all(id_check_character(body) == ric.calc_check_digit(body + "0") for body in bodies)


def test_the_imports_fast_path_gives_what_the_reference_gives():
    # given thousands of generated numbers, valid and invalid
    today = timezone.localdate()
    numbers = generated_numbers(today)
    assert len(numbers) > 5000

    # when each is checked by the import's fast path and by the reference
    results = [(number, outcome(lambda value: id_number_parse_fast(value, today), number)) for number in numbers]

    # then every outcome (the number, birth date and sex, or the refusal's code and words) is the reference's
    mismatches = [(number, fast) for number, fast in results if fast != outcome(id_number_parse, number)]
    assert mismatches == []
    accepted = sum(fast[0] == "accepted" for _number, fast in results)
    assert accepted > 400 and len(numbers) - accepted > 4000  # both kinds, in number


# What each problem is, as the reference's refusal codes and the SQL rule's sentences name it.
REFERENCE_PROBLEM = {
    "id_empty": "shape",
    "id_length": "shape",
    "id_characters": "shape",
    "id_birth_date": "birth date",
    "id_check_digit": "check digit",
}
SQL_PROBLEM = {
    "is not a real date": "birth date",
    "is before 1900 or in the future": "birth date",
    "check digit of the ID number is": "check digit",
}


def expected_in_sql(stored: str) -> str | None:
    """The problem the SQL check should find in a stored number: none for the number the reference accepts and
    stores as it is; the shape for any text the reference would store otherwise (lower case, spaces)."""
    result = outcome(id_number_parse, stored)
    if ric.compact(stored) != stored:
        return "shape"
    if result[0] == "accepted":
        return None if result[1] == stored else "shape"
    return REFERENCE_PROBLEM[result[1]]


@pytest.mark.django_db
def test_the_sql_check_finds_what_the_reference_finds(village):
    # given the generated numbers that fit the column
    today = timezone.localdate()
    candidates = sorted({number for number in generated_numbers(today) if len(number) <= 18})

    # when the database's shape check (the column's constraint) looks at them all (one query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM unnest(%s::text[]) AS value WHERE value ~ %s", [candidates, SHAPE])
        shaped = {value for (value,) in cursor.fetchall()}
    # then it refuses exactly the text the reference would not store as it is
    assert {number for number in candidates if number not in shaped} == {
        number for number in candidates if expected_in_sql(number) == "shape"
    }

    # given the others stored as members' ID numbers (one insert)
    household = HouseholdFactory(village=village)
    members = members_with_id_numbers(household, sorted(shaped))

    # when the data-quality rule checks them all (one query)
    with translation.override("en"):
        details = {row["member_id"]: row["detail"] for row in rule_get("id_number_invalid").rows(today=today)}

    # then it finds a problem in exactly the numbers the reference refuses, and names the same problem
    def found(member) -> str | None:
        detail = details.get(member.pk)
        if detail is None:
            return None
        return next(problem for words, problem in SQL_PROBLEM.items() if words in detail)

    mismatches = [
        (member.id_number, found(member), expected_in_sql(member.id_number))
        for member in members
        if found(member) != expected_in_sql(member.id_number)
    ]
    assert mismatches == []
    assert len(members) - len(details) > 300 and len(details) > 3500
