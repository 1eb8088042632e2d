"""The one vocabulary: every enumerable word, with its label and definition, read from data."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from tmkb_graph.resources import data_dir

SECTIONS: dict[str, str] = {
    "component_types": "component type",
    "component_families": "component family",
    "flow_kinds": "flow kind",
    "zone_kinds": "zone kind",
    "boundary_kinds": "boundary kind",
    "context_items": "context item",
    "controls": "control",
    "component_facts": "component fact",
    "frameworks": "framework",
    "operations": "operation",
    "resource_owners": "resource owner",
    "id_schemes": "id scheme",
    "tenancy": "tenancy",
    "severities": "severity",
    "likelihoods": "likelihood",
    "tiers": "tier",
}


@dataclass(frozen=True)
class Term:
    """One word of the vocabulary."""

    section: str
    name: str
    label: str
    definition: str
    facts: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Vocabulary:
    """All sections of the vocabulary, in file order."""

    sections: dict[str, dict[str, Term]]

    def terms(self, section: str) -> dict[str, Term]:
        """The terms of one section, by name."""
        return self.sections[section]

    def names(self, section: str) -> list[str]:
        """The words of one section, in file order."""
        return list(self.sections[section])

    def fact(self, section: str, name: str, key: str) -> Any:
        """A fact of a term that the inference reads (a flow kind's async, a zone's trust)."""
        return self.sections[section][name].facts.get(key)

    def check(self, section: str, word: object) -> str | None:
        """None when ``word`` belongs to ``section``, else an error message naming the nearest word."""
        known = self.sections[section]
        if isinstance(word, str) and word in known:
            return None
        return unknown_word_message(SECTIONS[section], word, list(known))

    def implied(self, controls: Iterable[str]) -> set[str]:
        """The controls claimed plus every control they imply (object_ownership_check implies tenant scoping)."""
        out = set(controls)
        pending = list(out)
        while pending:
            for implied in self.fact("controls", pending.pop(), "implies") or ():
                if implied not in out:
                    out.add(implied)
                    pending.append(implied)
        return out

    def framework_fact(self, framework: str | None, fact: str) -> bool | None:
        """What a known framework does by default about ``fact``; None when the framework is not known."""
        if not framework:
            return None
        known = self.sections["frameworks"]
        key = framework.strip().lower()
        term = known.get(key) or known.get(re.split(r"[\s_.-]+", key)[0])
        if term is None or fact not in term.facts:
            return None
        return bool(term.facts[fact])

    def rank(self, section: str, name: str) -> int:
        """The rank of a severity or likelihood (higher is worse)."""
        return int(self.sections[section][name].facts["rank"])


def nearest(word: str, candidates: list[str]) -> str | None:
    """The closest known word to ``word``, if one is close enough to be a likely typo."""
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    prefixed = sorted(c for c in lowered if len(word) >= 3 and c.startswith(word.lower()))
    if len(prefixed) == 1:
        return lowered[prefixed[0]]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def unknown_word_message(what: str, word: object, candidates: list[str]) -> str:
    """'unknown component type 'wroker' (did you mean 'worker'?)', or the list of known words."""
    if not isinstance(word, str):
        return f"expected a {what} (one of: {', '.join(candidates)}), got {_describe(word)}"
    guess = nearest(word, candidates)
    if guess is not None:
        return f"unknown {what} '{word}' (did you mean '{guess}'?)"
    return f"unknown {what} '{word}' (known: {', '.join(candidates)})"


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a " + ("mapping" if isinstance(value, dict) else "list")
    return f"{type(value).__name__} {value!r}"


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """Read ontology/vocabulary.yaml (shipped data, trusted, still parsed safely)."""
    raw = yaml.safe_load((data_dir("ontology") / "vocabulary.yaml").read_text(encoding="utf-8"))
    sections: dict[str, dict[str, Term]] = {}
    for section in SECTIONS:
        entries = raw[section]
        sections[section] = {
            str(name): Term(
                section=section,
                name=str(name),
                label=str(body["label"]),
                definition=str(body["definition"]),
                facts={k: v for k, v in body.items() if k not in ("label", "definition")},
            )
            for name, body in entries.items()
        }
    return Vocabulary(sections)
