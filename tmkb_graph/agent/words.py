"""Words as an agent's request and a pattern's triggers are compared: tokens, stems, phrases.

Matching is on whole tokens only, never substrings: "upload" never matches "load".
"""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")
_TOKEN = re.compile(r"[a-z0-9]+")

# words that carry no topic: left out of action phrases, which are matched word by word
STOPWORDS = frozenset(
    "a an the to of for in on from with or and by as at into each every all this that it its my our your "
    "their be is are was add write build make use using implement support new some any one i we handle "
    "me us you want need should can could please so when then".split()
)


def stem(word: str) -> str:
    """A light stem: plurals and common verb endings, so 'queues', 'queued' and 'queue' agree."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def tokens(text: str, split_camel: bool = True) -> tuple[str, ...]:
    """Stemmed lowercase word tokens: snake_case and punctuation split, camelCase too by default."""
    if split_camel:
        text = _CAMEL.sub(" ", text)
    return tuple(stem(t) for t in _TOKEN.findall(text.lower()))


_CODE_CHARS = re.compile(r"[^A-Za-z0-9 '-]")


def is_code(keyword: str) -> bool:
    """True for a keyword written as code (``id__in``, ``session.get(``, ``<int:id>``)."""
    return bool(_CODE_CHARS.search(keyword))


def literal_regex(keyword: str) -> re.Pattern[str]:
    """A code keyword found as written (any case), never inside a longer identifier."""
    head = r"(?<![A-Za-z0-9_])" if re.match(r"\w", keyword) else ""
    tail = r"(?![A-Za-z0-9_])" if re.search(r"\w\Z", keyword) else ""
    return re.compile(head + re.escape(keyword) + tail, re.IGNORECASE)


def content_tokens(text: str) -> frozenset[str]:
    """The topic words of a phrase: its tokens without stopwords."""
    raw = _TOKEN.findall(_CAMEL.sub(" ", text).lower())
    return frozenset(stem(t) for t in raw if t not in STOPWORDS)


def contains_phrase(haystack: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """True when ``phrase`` occurs in ``haystack`` as consecutive whole tokens."""
    n = len(phrase)
    if n == 0 or n > len(haystack):
        return False
    first = phrase[0]
    return any(haystack[i] == first and haystack[i : i + n] == phrase for i in range(len(haystack) - n + 1))


def glob_regex(glob: str) -> re.Pattern[str]:
    """A file glob as a regular expression: ``**/`` is any number of folders, ``*`` stays in one."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def normal_path(path: str) -> str:
    """A path as globs see it: forward slashes, no leading ./ or /."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")
