"""The import's short cuts give exactly what the plain definitions give: the natural keys built once, spaces
folded without a regular expression, a CSV's minutes read inline."""

import datetime as dt
import re

from hypothesis import example, given
from hypothesis import strategies as st

from certcredit.io.rows import RecordFields, record_key
from certcredit.values.duration import DurationError, minutes_from_value
from certcredit.values.keys import text_key
from certcredit.values.row import RowInvalid, check_row

SPACES = re.compile(r"\s+")


@given(st.text())
@example(" a\u00a0\u2003b\x1c\x1fc \t\n")
def test_text_key_folds_spaces_exactly_as_the_regular_expression_did(text: str) -> None:
    assert text_key(text) == SPACES.sub(" ", text).strip().casefold()


@given(
    st.dates(),
    st.text(max_size=800),
    st.integers(1, 10_000),
    st.sampled_from(["in_person", "recorded"]),
    st.sampled_from(["", "giving_back", "x" * 40]),
)
@example(dt.date(2026, 1, 1), "t" * 676, 60, "in_person", "giving_back")  # a base key just short of 700
def test_keys_built_once_are_the_base_key_and_the_natural_key(
    day: dt.date, title: str, minutes: int, fmt: str, activity: str
) -> None:
    fields = RecordFields(day, minutes, title, "", "", fmt, "", "", "", "", "", "", activity)
    assert fields.keys() == (fields.base_key(), fields.natural_key())
    assert fields.natural_key() == record_key(day, title, minutes, fmt, activity)


@given(st.one_of(st.text(alphabet="0123456789 +-x\u0661\u00b2", max_size=9), st.integers(-5, 20_000)))
@example("0060")
@example("0")
@example("10001")
@example("9999999")
def test_minutes_read_inline_are_read_as_minutes_from_value_reads_them(value: object) -> None:
    try:
        expected: int | None = minutes_from_value(value)
    except DurationError:
        expected = None
    row = {"date": "2026-01-01", "minutes": value}
    try:
        got: int | None = check_row(row, "record").minutes
    except RowInvalid:
        got = None
    assert got == (expected or None)  # 0 minutes is no activity: refused by the row, read as 0 alone
