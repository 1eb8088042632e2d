"""What a route's path says: its parameters, which of them are secret tokens and which name objects."""

from __future__ import annotations

import re

# the classes exclude the opening bracket too, so a route of many '{' is scanned once, not once per '{'
PATH_PARAM = re.compile(r"\{[^{}/]+\}|<[^<>/]+>|(?<=/):[A-Za-z_][A-Za-z0-9_]*")
_PARAM_SEGMENT = re.compile(r"\{[^{}/]+\}|<[^<>/]+>|:[A-Za-z_][A-Za-z0-9_]*")


def path_segments(path: str) -> list[str]:
    """The non-empty segments of a route's path (/files/{id}/ -> files, {id})."""
    return [seg for seg in path.strip("/").split("/") if seg]


def is_credential(param: str) -> bool:
    """A path parameter named as a token ({token}, :refresh_token), not as a token record's id ({token_id})."""
    name = "".join(ch for ch in param.lower() if ch.isalnum())
    return "token" in name and not name.endswith(("id", "uuid", "sid"))


def is_path_param(segment: str) -> bool:
    """A path segment that is a parameter ({id}, <id>, :id): an object's id or a token."""
    return _PARAM_SEGMENT.fullmatch(segment) is not None


def token_names_object(segments: list[str], index: int, resource: str | None) -> bool:
    """Whether the parameter at ``index`` is the id of the route's own object, spelt as a token: an
    API whose ids are called tokens (/v1/cards/{card_token} for a Card). It is when its name is the
    resource's followed by token, right after that resource's collection. The caller decides whether
    the route also signs its caller in; on a route that does not, a token is the secret that opens it."""
    if resource is None or index == 0 or not is_path_param(segments[index]):
        return False
    name = segments[index].strip("{}<>:").lower()
    if not name.endswith("token"):
        return False
    prefix = _alnum(name[: -len("token")])
    collection = segments[index - 1]
    if is_path_param(collection) or not prefix or prefix != _alnum(resource):
        return False
    return _alnum(collection) in _plurals(prefix)


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _plurals(word: str) -> tuple[str, ...]:
    forms = (word, word + "s", word + "es")
    return forms + ((word[:-1] + "ies",) if word.endswith("y") else ())


def ends_in_token(path: str, object_tokens: frozenset[int] = frozenset()) -> bool:
    """The path carries a secret token that no collection and id follow, so the route is reached only
    with that token (/d/{id}/{token}, /s/{token}, /{asset_id}/{token}/{filename}); a token before a
    collection and an id the caller picks (/s/{share_token}/files/{file_id}) grants the parent, not
    the object the route names. ``object_tokens`` are the positions of tokens that name the route's
    own object (token_names_object), which are ids."""
    segments = path_segments(path)
    tokens = [i for i, seg in enumerate(segments) if is_path_param(seg) and is_credential(seg) and i not in object_tokens]
    if not tokens:
        return False
    after = segments[tokens[-1] + 1 :]
    return not any(not is_path_param(a) and is_path_param(b) for a, b in zip(after, after[1:]))
