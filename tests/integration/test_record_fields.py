"""The form's and the API's record reading: ``check_record`` puts every problem of the one reading
(``check_row``) under a field, losing none and inventing none, whatever is typed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certcredit.services.records import FIELDS, RecordInvalid, check_record
from certcredit.values.row import RowInvalid, check_row

TYPED = st.one_of(
    st.just(""),
    st.sampled_from(["2026-03-10", "2026-02-30", "10/03/2026", "90", "0", "ninety", "9 – 10:30 A.M.", "writing",
                     "HR", "cooking", "giving_back", "9lives", "in_person", "teaching", "self study"]),
    st.text(max_size=12),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, TYPED)))
def test_every_problem_of_the_one_reading_lands_under_exactly_one_field(typed: dict[str, str]) -> None:
    given_values = {k: (None if not v.strip() else v) for k, v in typed.items()}
    try:
        expected = list(check_row(given_values, "record"))
    except RowInvalid as error:
        expected_problems = list(error.problems)
    else:
        assert list(check_record(typed)) == expected  # readable: the same values
        return
    with pytest.raises(RecordInvalid) as caught:
        check_record(typed)
    placed = [p for problems in caught.value.fields.values() for p in problems]
    assert sorted(placed) == sorted(expected_problems)
    assert set(caught.value.fields) <= {*FIELDS, None}


def test_known_problems_go_to_their_own_fields() -> None:
    with pytest.raises(RecordInvalid) as caught:
        check_record({"date": "2026-02-30", "minutes": "ninety", "category": "cooking", "activity": "9lives"})
    assert sorted(k for k in caught.value.fields if k) == ["activity", "category", "date", "minutes"]
    with pytest.raises(RecordInvalid) as caught:
        check_record({"title": "no date, no length"})
    assert set(caught.value.fields) == {"date", "minutes"}
    with pytest.raises(RecordInvalid) as caught:
        check_record({"date": "2026-03-01", "time": "sometime"})
    assert list(caught.value.fields) == ["time"]
