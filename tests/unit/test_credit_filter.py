"""Hours shown on the web pages: minutes / 60, at most two decimals (RULES.md: 80 minutes shows as 1.33)."""

import pytest

from certcredit.web.templatetags.credit import hours


@pytest.mark.parametrize(("minutes", "shown"), [(80, "1.33"), (90, "1.5"), (60, "1"), (0, "0"), (None, "?")])
def test_hours_are_shown_with_at_most_two_decimals(minutes: int | None, shown: str) -> None:
    assert hours(minutes) == shown
