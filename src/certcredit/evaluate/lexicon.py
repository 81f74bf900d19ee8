"""The evaluator's word lists (``data/lexicon.yaml``): title veto, cue words, near-miss advice, topic and no-skill cues.

Kept as data because they are judgements a certification officer should be able to read and change; the code
only applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from certcredit.values.vocabulary import CATEGORIES, TOPICS

VETO_KINDS = ("non_education", "wrong_focus")


@dataclass(frozen=True, slots=True)
class Veto:
    """A title pattern that settles a session as not qualifying for a category."""

    pattern: re.Pattern[str]
    kind: str
    focus: str
    advice: str | None
    no_area: bool = False

    def matches(self, title: str) -> str | None:
        """The words of the title that matched, or None."""
        found = self.pattern.search(title)
        return found.group(0) if found else None


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A non-qualifying focus, the category it is most often mistaken for, and what it would need."""

    name: str
    pattern: re.Pattern[str]
    category: str
    advice: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    vetoes: tuple[Veto, ...]
    cues: dict[str, tuple[str, ...]]
    near_misses: tuple[NearMiss, ...]
    topic_cues: dict[str, tuple[re.Pattern[str], ...]]
    #: Words by which a session promises inspiration or personal growth rather than teaching a job skill: the
    #: text's own evidence for RULES.md's ambiguity rule (classify.py quotes them).
    no_skill: tuple[re.Pattern[str], ...] = ()

    def veto(self, title: str) -> tuple[Veto, str] | None:
        """The first veto whose pattern is in the title, with the matched words."""
        for veto in self.vetoes:
            words = veto.matches(title)
            if words is not None:
                return veto, words
        return None

    def cue_words(self, category: str, text: str) -> list[str]:
        """The category's cue words found in the text, in list order, without repeats."""
        lowered = text.lower()
        return [cue for cue in self.cues.get(category, ()) if re.search(rf"\b{re.escape(cue)}\b", lowered)]

    def near_miss(self, text: str) -> NearMiss | None:
        for miss in self.near_misses:
            if miss.pattern.search(text):
                return miss
        return None

    def no_skill_promise(self, text: str) -> str | None:
        """The words of the text that promise personal growth or inspiration rather than a job skill, or None."""
        for pattern in self.no_skill:
            found = pattern.search(text)
            if found:
                return found.group(0)
        return None

    def topic_cue(self, topic: str, text: str) -> str | None:
        for pattern in self.topic_cues.get(topic, ()):
            found = pattern.search(text)
            if found:
                return found.group(0)
        return None


class LexiconError(ValueError):
    """The lexicon file names an unknown category, topic or veto kind, or holds a bad pattern."""


def parse_lexicon(raw: dict[str, Any]) -> Lexicon:
    """Validate and compile the YAML structure; a mistake names the entry."""
    vetoes = []
    for number, entry in enumerate(raw.get("veto", []), start=1):
        if entry.get("kind") not in VETO_KINDS:
            raise LexiconError(f"veto {number}: kind must be one of {VETO_KINDS}, not {entry.get('kind')!r}")
        vetoes.append(
            Veto(
                _compile(entry["pattern"], f"veto {number}"),
                entry["kind"],
                entry["focus"],
                entry.get("advice"),
                bool(entry.get("no_area", False)),
            )
        )
    cues = {}
    for category, words in (raw.get("cues") or {}).items():
        if category not in CATEGORIES:
            raise LexiconError(f"cues: unknown category {category!r}")
        cues[category] = tuple(str(w).lower() for w in words)
    misses = []
    for name, entry in (raw.get("near_miss") or {}).items():
        if entry["category"] not in CATEGORIES:
            raise LexiconError(f"near_miss {name}: unknown category {entry['category']!r}")
        misses.append(
            NearMiss(name, _compile(entry["pattern"], f"near_miss {name}"), entry["category"], entry["advice"])
        )
    topics = {}
    for topic, patterns in (raw.get("topics") or {}).items():
        if topic not in TOPICS:
            raise LexiconError(f"topics: unknown topic {topic!r}")
        topics[topic] = tuple(_compile(p, f"topics {topic}") for p in patterns)
    no_skill = tuple(_compile(p, f"no_skill {n}") for n, p in enumerate(raw.get("no_skill") or [], start=1))
    return Lexicon(tuple(vetoes), cues, tuple(misses), topics, no_skill)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise LexiconError(f"{where}: bad pattern {pattern!r} ({error})") from error


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    text = (resources.files("certcredit.evaluate") / "data" / "lexicon.yaml").read_text(encoding="utf-8")
    return parse_lexicon(yaml.safe_load(text))
