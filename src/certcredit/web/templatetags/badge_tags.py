"""The Open Badge box of a credential's page (``{% badge_box credential %}``): downloads for the holder and
staff, the badges issued with their keys and suspension, and the staff's suspension form."""

from __future__ import annotations

from typing import Any

from django import template

from certcredit.services import badges
from certcredit.services import credentials as creds
from certcredit.services.access import is_staff

register = template.Library()


@register.inclusion_tag("_badge.html", takes_context=True)
def badge_box(context: dict[str, Any], credential: Any) -> dict[str, Any]:
    viewer = context["request"].user
    state = creds.standing(credential).state
    return {
        "credential": credential,
        "state": state,
        "issuable": state in badges.ISSUABLE,
        "has_key": badges.active_key() is not None,
        "issued": list(badges.badges_of(credential)[:10]),
        "suspended": badges.suspended(credential),
        "staff": is_staff(viewer),
        "csrf_token": context.get("csrf_token"),
    }
