"""Minutes from printed time ranges: the forms brochures use, checked by example and by property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certcredit.values.duration import DurationError, minutes_from_time, minutes_from_value


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("9 – 10:30 A.M.", 90),
        ("10:30–11:30 A.M.", 60),
        ("9 - 10 AM.", 60),
        ("11:30 a.m. - 1 p.m.", 90),
        ("1:00-2:15pm", 75),
        ("9am to noon", 180),
        ("11 – 1 P.M.", 120),
        ("10 – 11:15 A.M.", 75),
        ("8–9 A.M.", 60),
        ("Time 10 – 11 A.M.", 60),
        ("10:45 A.M. – 12 noon", 75),
        ("noon – 1:30 p.m.", 90),
        ("13:00–14:30", 90),
        ("17:00—19:00", 120),
        ("0900-1030", 90),
        ("1300–1430 hrs", 90),
        ("from 9 to 10:30 a.m.", 90),
        ("between 1 and 2:15 p.m.", 75),
        ("9:00 AM to 10:00 AM", 60),
        ("2-3:30 p.m. EST", 90),
        ("8:30 – 9:45 a. m.", 75),
    ],
)
def test_the_printed_forms_read_as_a_reader_would(text: str, minutes: int) -> None:
    assert minutes_from_time(text) == minutes


@pytest.mark.parametrize(
    "text", ["after lunch", "9 – ", "10 – 9 A.M.", "25:00-26:00", "9:75 – 10 A.M.", "6 a.m. – 7 p.m."]
)
def test_an_unreadable_or_impossible_range_is_an_error_naming_the_text(text: str) -> None:
    with pytest.raises(DurationError) as caught:
        minutes_from_time(text)
    assert repr(text) in str(caught.value)


def _twelve(minute_of_day: int) -> tuple[str, str]:
    hour, minute = divmod(minute_of_day, 60)
    meridiem = "a.m." if hour < 12 else "p.m."
    shown = hour % 12 or 12
    clock = f"{shown}" if minute == 0 else f"{shown}:{minute:02d}"
    return clock, meridiem


DASHES = st.sampled_from([" – ", "–", " - ", "-", " — ", " to "])
MERIDIEMS = st.sampled_from([("a.m.", "p.m."), ("AM", "PM"), ("A.M.", "P.M."), ("am", "pm")])


@settings(max_examples=150, deadline=None)
@given(start=st.integers(6 * 60, 20 * 60), length=st.integers(1, 4 * 60), dash=DASHES, style=MERIDIEMS)
def test_a_range_with_both_meridiems_gives_the_difference(
    start: int, length: int, dash: str, style: tuple[str, str]
) -> None:
    end = start + length
    if end >= 24 * 60:
        return
    (a, am), (b, bm) = _twelve(start), _twelve(end)
    names = {"a.m.": style[0], "p.m.": style[1]}
    assert minutes_from_time(f"{a} {names[am]}{dash}{b} {names[bm]}") == length


@settings(max_examples=150, deadline=None)
@given(start=st.integers(0, 22 * 60), length=st.integers(1, 6 * 60), dash=DASHES)
def test_a_24_hour_range_gives_the_difference(start: int, length: int, dash: str) -> None:
    end = start + length
    if end >= 24 * 60:
        return
    text = f"{start // 60:02d}:{start % 60:02d}{dash}{end // 60:02d}:{end % 60:02d}"
    assert minutes_from_time(text) == length


@settings(max_examples=100, deadline=None)
@given(start=st.integers(7 * 60, 11 * 60 + 59), length=st.integers(1, 3 * 60), dash=DASHES)
def test_a_morning_start_without_its_meridiem_borrows_it_or_crosses_noon(start: int, length: int, dash: str) -> None:
    end = start + length
    (a, _), (b, bm) = _twelve(start), _twelve(end)
    assert minutes_from_time(f"{a}{dash}{b} {bm.upper()}") == length


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz !?", min_size=1, max_size=30))
def test_words_without_times_are_refused_with_the_text(text: str) -> None:
    with pytest.raises(DurationError) as caught:
        minutes_from_time(text)
    assert repr(text) in str(caught.value)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000))
def test_minutes_as_digits_or_numbers_read_the_same(value: int) -> None:
    assert minutes_from_value(value) == minutes_from_value(str(value)) == value
