"""``{% if user|library_member %}``: the menu shows the CLRM library only to people whose membership is current."""

from __future__ import annotations

from typing import Any

from django import template

from certcredit.services import library

register = template.Library()


@register.filter
def library_member(user: Any) -> bool:
    return library.may_read(user)
