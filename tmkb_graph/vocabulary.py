"""The one vocabulary: every enumerable word, with its label and definition, read from data."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import yaml

from tmkb_graph.resources import data_dir
from tmkb_graph.text import shown

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
    "id_places": "id place",
    "bodies": "body",
    "workflows": "workflow",
    "grants": "grant",
    "tenancy": "tenancy",
    "severities": "severity",
    "likelihoods": "likelihood",
    "tiers": "tier",
    "finding_statuses": "finding status",
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
    _implied: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, hash=False, compare=False, repr=False)

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
        return set(self.implied_shared(controls))

    def implied_shared(self, controls: Iterable[str]) -> frozenset[str]:
        """``implied`` as one frozenset shared by every caller naming the same controls (for tables
        that keep it per endpoint or component)."""
        claimed = frozenset(controls)
        found = self._implied.get(claimed)
        if found is None:  # a few dozen distinct sets in any architecture: each closure is computed once
            found = self._implied[claimed] = frozenset(self._closure(claimed))
        return found

    def _closure(self, controls: frozenset[str]) -> set[str]:
        out = set(controls)
        pending = list(out)
        while pending:
            for implied in self.fact("controls", pending.pop(), "implies") or ():
                if implied not in out:
                    out.add(implied)
                    pending.append(implied)
        return out

    @cached_property
    def framework_facts(self) -> frozenset[str]:
        """Every fact some known framework or product sets by default (field_binding, signs_timestamp)."""
        return frozenset(fact for term in self.sections["frameworks"].values() for fact in term.facts)

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

    def type_fact(self, component_type: str, fact: str) -> bool | None:
        """What the vocabulary presumes of ``fact`` for every component of a type (a database is
        queried by more than whole keys); None when it presumes nothing."""
        term = self.sections["component_types"].get(component_type)
        presumed = (term.facts.get("presumes") or {}) if term is not None else {}
        return None if fact not in presumed else bool(presumed[fact])

    def rank(self, section: str, name: str) -> int:
        """The rank of a severity or likelihood (higher is worse)."""
        return int(self.sections[section][name].facts["rank"])


MAX_SUGGESTED_WORD = 64  # a longer word is not a typo, and difflib's cost grows with its length
MAX_COMPARED = 1_000  # candidates compared per lookup, the closest in length first
MAX_LISTED = 12  # known words listed when nothing is close
MAX_LOOKUPS = 50  # nearest-word lookups per input file; the errors after that name the word only

_LOOKUPS_LEFT: ContextVar[list[int] | None] = ContextVar("tmkb_lookups_left", default=None)


@contextmanager
def suggestion_budget(lookups: int = MAX_LOOKUPS) -> Iterator[None]:
    """Inside the block, only the first ``lookups`` unknown words get a "did you mean".

    A loader opens one per input file, so a file with thousands of typos costs a few dozen lookups,
    not thousands (each compares the word with every known id). Outside any block, every unknown
    word gets a suggestion.
    """
    token = _LOOKUPS_LEFT.set([lookups])
    try:
        yield
    finally:
        _LOOKUPS_LEFT.reset(token)


def _may_look_up() -> bool:
    left = _LOOKUPS_LEFT.get()
    if left is None:
        return True
    left[0] -= 1
    return left[0] >= 0


def nearest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The closest known word to ``word``, if one is close enough to be a likely typo.

    Cheap on any input: long words are not looked up, at most MAX_COMPARED candidates (the closest
    in length) are compared, and answers are cached, so thousands of mistyped references against
    thousands of ids stay well under a second.
    """
    if not word or len(word) > MAX_SUGGESTED_WORD:
        return None
    return _nearest(word, tuple(candidates))


@lru_cache(maxsize=4096)
def _nearest(word: str, candidates: tuple[str, ...]) -> str | None:
    lowered, by_length = _index(candidates)
    low = word.lower()
    if low in lowered:
        return lowered[low]
    if len(low) >= 3:
        prefixed = [c for c in lowered if c.startswith(low)]
        if len(prefixed) == 1:
            return lowered[prefixed[0]]
    # difflib's ratio can reach 0.6 only when the lengths are within a factor of 7/3 of each other
    close = [c for c in by_length if 3 * len(low) <= 7 * len(c) and 3 * len(c) <= 7 * len(low)]
    close.sort(key=lambda c: abs(len(c) - len(low)))
    match = difflib.get_close_matches(low, close[:MAX_COMPARED], n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


@lru_cache(maxsize=64)
def _index(candidates: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    lowered: dict[str, str] = {}
    for candidate in candidates:
        lowered.setdefault(candidate.lower(), candidate)
    return lowered, sorted(lowered)


def unknown_word_message(what: str, word: object, candidates: list[str], suggest: bool = True) -> str:
    """'unknown component type 'wroker' (did you mean 'worker'?)', or some of the known words.

    ``suggest=False`` skips the lookup: callers that have already reported many unknown words use it
    so that thousands of typos cost no more than a few.
    """
    if not isinstance(word, str):
        return f"expected a {what} (one of: {_listed(candidates)}), got {_describe(word)}"
    suggest = suggest and _may_look_up()
    guess = nearest(word, candidates) if suggest else None
    if guess is not None:
        return f"unknown {what} '{shown(word)}' (did you mean '{shown(guess)}'?)"
    if not suggest:
        return f"unknown {what} '{shown(word)}'"
    return f"unknown {what} '{shown(word)}' (known: {_listed(candidates)})"


def _listed(candidates: list[str]) -> str:
    """The first MAX_LISTED candidates, then how many more there are."""
    head = ", ".join(shown(c, 40) for c in candidates[:MAX_LISTED])
    more = len(candidates) - MAX_LISTED
    return head + (f" and {more:,} more" if more > 0 else "")


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a " + ("mapping" if isinstance(value, dict) else "list")
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{type(value).__name__} {shown(repr(value))}"


@lru_cache(maxsize=1)
def load_ontology_terms() -> dict[str, dict[str, Any]]:
    """The ``ontology`` part of vocabulary.yaml: the RDF classes and properties, by name."""
    raw = yaml.safe_load((data_dir("ontology") / "vocabulary.yaml").read_text(encoding="utf-8"))
    return {"classes": dict(raw["ontology"]["classes"]), "properties": dict(raw["ontology"]["properties"])}


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """Read ontology/vocabulary.yaml (shipped data, trusted, still parsed safely)."""
    text = (data_dir("ontology") / "vocabulary.yaml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster at every start
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
