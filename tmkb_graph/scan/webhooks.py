"""Which routes are webhook receivers, and which provider sends to each."""

from __future__ import annotations

import re

from tmkb_graph.route_paths import path_segments
from tmkb_graph.scan.facts import const_str
from tmkb_graph.scan.model import Evidence, Route

PROVIDERS = ("stripe", "github", "gitlab", "slack", "shopify", "twilio", "svix", "paypal", "sendgrid", "clerk")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{1,40}")
_PROVIDER_HINTS = {"x-hub-signature": "github", "x-github-event": "github", "x-gitlab-token": "gitlab",
                   "svix-signature": "svix", "x-slack-signature": "slack", "x-shopify-hmac": "shopify"}


def is_webhook(route: Route, signals: list[Evidence]) -> bool:
    """A route that reads a signature header, or a POST (or PUT) route both named and routed as a webhook."""
    if any(e.signal == "signature_header" for e in signals):
        return True
    name = route.handler.name.lower()
    pushed = any(m in ("POST", "PUT") for m in route.methods)  # providers push; GET /hooks lists hooks
    return pushed and "hook" in route.path.lower() and "hook" in name


def provider_of(route: Route) -> str:
    """The provider a webhook route serves, from its path, name, headers and SDK calls; 'webhook_sender' if none."""
    texts = [route.path.lower(), route.handler.name.lower()]
    texts += [s.lower() for s in (const_str(n) for n in route.handler.nodes) if s is not None and len(s) < 100]
    texts += [v.lower() for v in route.handler.module.aliases.values()]
    for text in texts:
        for hint, provider in _PROVIDER_HINTS.items():
            if hint in text:
                return provider
    for provider in PROVIDERS:
        if any(provider in text for text in texts[:3]):
            return provider
    for provider in PROVIDERS:
        if any(provider in text for text in texts[3:]):
            return provider
    return _named_in_path(route.path) or "webhook_sender"


def _named_in_path(path: str) -> str | None:
    """The segment after .../hooks/ or .../webhooks/ when it is a plain word: /hooks/acmepay -> acmepay."""
    segments = path_segments(path)
    for before, segment in zip(segments, segments[1:]):
        if before.lower() in ("hooks", "webhooks", "webhook") and _WORD.fullmatch(segment):
            return segment.lower().replace("-", "_")
    return None
