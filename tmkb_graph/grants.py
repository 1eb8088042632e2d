"""What a resource's records give: standing access to the tenant's data, a push of it to an address
someone chose, or neither.

A resource says so with ``grants``; where it does not, its name tells for the common kinds (an
``ApiKey``, a ``WebhookSubscription``), read word by word from its CamelCase or snake_case name. A
record of one delivery (``WebhookEvent``) or a sign-in step's token (``AccessToken`` from an OAuth
token endpoint, a ``LinkToken``) is neither: minting those is how a caller signs in, not a setting.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tmkb_graph.architecture import Resource

# the last word of a name that makes the system push data out, when a hook word is in the name
# or the word stands alone
_DELIVERY_WORDS = frozenset({"webhook", "webhooks", "hook", "hooks", "destination", "destinations"})
_HOOK_WORDS = frozenset({"webhook", "webhooks", "hook", "hooks", "resthook", "resthooks", "eventhook", "eventhooks"})
_DELIVERY_TAILS = frozenset(
    {"endpoint", "endpoints", "subscription", "subscriptions", "config", "configuration", "setting", "settings",
     "target", "targets", "destination", "destinations", "integration", "url", "definition", "definitions"}
)
# a hook that receives is the way in of someone else's data, not a place the tenant's goes to
_RECEIVING = frozenset({"incoming", "inbound"})
# a credential word after a word that makes it a standing, tenant-wide grant
# (a team's or project's "secret" is a value the customer stores for its own builds, not a grant)
_CREDENTIAL_WORDS = frozenset({"key", "keys", "token", "tokens", "credential", "credentials", "client", "clients"})
_GRANTING_WORDS = frozenset({"api", "oauth", "scim", "management", "service", "deploy", "org", "organization", "team", "workspace", "project", "agent", "access", "application"})
_ACCESS_NAMES = frozenset({"apikey", "apikeys", "apitoken", "apitokens", "serviceaccount", "serviceaccounts", "deploykey", "deploykeys"})
# a token a caller gets by signing in, or one made for one session or one link
_SIGN_IN_WORDS = frozenset({"session", "sign", "signin", "login", "link", "magic", "refresh", "id", "user", "personal", "member", "client", "payment", "expiring", "oauth"})


def resource_grants(name: str, resource: Resource | None) -> str:
    """``access``, ``delivery`` or ``nothing``: the resource's declared ``grants``, else what its
    name tells."""
    if resource is not None and resource.grants is not None:
        return resource.grants
    return grants_by_name(name)


@lru_cache(maxsize=1024)
def grants_by_name(name: str) -> str:
    """What a resource's name alone tells it grants (asked per route a template binds: cached)."""
    words = _words(name)
    if not words:
        return "nothing"
    if _names_delivery(words):
        return "delivery"
    if _names_access(words):
        return "access"
    return "nothing"


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name.replace("OAuth", "Oauth"))
    return [w.lower() for w in re.split(r"[\s_\-]+", spaced) if w]


def _names_delivery(words: list[str]) -> bool:
    if _RECEIVING & set(words):
        return False
    last = words[-1]
    if last in _DELIVERY_WORDS:
        return True
    return last in _DELIVERY_TAILS and bool(_HOOK_WORDS & set(words[:-1]))


def _names_access(words: list[str]) -> bool:
    joined = "".join(words)
    if joined in _ACCESS_NAMES:
        return True
    last = words[-1]
    if last not in _CREDENTIAL_WORDS or len(words) < 2:
        return False
    before = words[:-1]
    if last in ("client", "clients"):
        return before[-1] in ("api", "oauth")
    if before == ["access"] and last in ("token", "tokens"):
        # an AccessToken alone is what an OAuth token endpoint or a sign-in hands out
        return False
    if _SIGN_IN_WORDS & set(before) and not {"api", "scim", "management", "service", "deploy"} & set(before):
        return False
    return bool(_GRANTING_WORDS & set(before))
