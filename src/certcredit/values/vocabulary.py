"""The identifiers that files, the CLI and the API share (RULES.md: identifiers never change).

Kept apart from any one rulebook because input files are validated against them before a program is known.
"""

from typing import Final

CATEGORIES: Final = (
    "writing",
    "communication",
    "self_management",
    "information_technology",
    "organizational_development",
)
CATEGORY_NAMES: Final = {
    "writing": "Writing Skills",
    "communication": "Communication Skills",
    "self_management": "Self-Management Skills",
    "information_technology": "Information Technology",
    "organizational_development": "Organizational Development",
}
SUBJECT_AREAS: Final = ("HR", "FM", "OM", "LI", "CM")
SUBJECT_AREA_NAMES: Final = {
    "HR": "Human Resources Management",
    "FM": "Financial Management",
    "OM": "Operations Management",
    "LI": "Legal Industry/Business Management",
    "CM": "Communications and Organizational Management",
}
TOPICS: Final = ("business_ethics", "substance_abuse")
TOPIC_NAMES: Final = {"business_ethics": "Business Ethics", "substance_abuse": "Substance Abuse"}
FORMATS: Final = ("in_person", "live_online", "recorded", "self_study", "teaching")
DEFAULT_FORMAT: Final = "in_person"
VENUES: Final = ("ala_conference",)
#: A program's own activity kind (PMI's ``giving_back``) is an identifier: rulebooks declare them with this shape
#: and the store keeps a record's activity only in it (after ``engine.records.activity_of`` has normalised it).
ACTIVITY_PATTERN: Final = r"^[a-z][a-z0-9_]*$"
MAX_ACTIVITY: Final = 40
