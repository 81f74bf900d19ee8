"""Template filters for credit: hours from minutes, as RULES.md shows them (80 minutes = 1.33)."""

from django import template

register = template.Library()


@register.filter
def hours(minutes: int | None) -> str:
    if minutes is None:
        return "?"
    text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return text or "0"
