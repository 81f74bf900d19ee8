"""Template filters for credit: hours from minutes, as RULES.md shows them (80 minutes = 1.33)."""

from django import template

register = template.Library()


@register.filter
def hours(minutes: int | None) -> str:
    if minutes is None:
        return "?"
    text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return text or "0"


@register.filter
def term(code: str | None) -> str:
    """A category, subject area or topic code in words (``writing`` is Writing Skills), as people read it."""
    from certcredit.values.vocabulary import CATEGORY_NAMES, SUBJECT_AREA_NAMES, TOPIC_NAMES

    if not code:
        return ""
    return CATEGORY_NAMES.get(code) or SUBJECT_AREA_NAMES.get(code) or TOPIC_NAMES.get(code) or code
