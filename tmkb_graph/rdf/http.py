"""HTTP to a SPARQL server (standard library only): authentication, a deadline, bounded reads, clear errors.

Authentication comes from the environment, never from the command line where other users of the
machine can read it: ``TMKB_SPARQL_AUTH`` (or ``--auth``) is ``basic``, ``digest`` or ``bearer``;
basic and digest read ``TMKB_SPARQL_USER`` and ``TMKB_SPARQL_PASSWORD``, bearer reads
``TMKB_SPARQL_TOKEN``.
"""

from __future__ import annotations

import base64
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from tmkb_graph.errors import InputError, Problem

AUTH_SCHEMES = ("none", "basic", "digest", "bearer")
MAX_RESPONSE_BYTES = 512 * 1024 * 1024
_CHUNK = 1 << 16


class ServerError(Exception):
    """The server is unreachable or answered with an error; the message says which and what it said."""


@dataclass(frozen=True)
class Auth:
    """How to authenticate to the server."""

    scheme: str = "none"
    user: str | None = None
    secret: str | None = None


def auth_from_env(scheme: str | None = None) -> Auth:
    """The authentication ``scheme`` (or TMKB_SPARQL_AUTH) with its credentials from the environment."""
    chosen = (scheme or os.environ.get("TMKB_SPARQL_AUTH") or "none").lower()
    if chosen not in AUTH_SCHEMES:
        raise InputError([Problem("--auth", None, "", f"unknown authentication '{chosen}' (known: {', '.join(AUTH_SCHEMES)})")])
    if chosen == "none":
        return Auth()
    if chosen == "bearer":
        token = os.environ.get("TMKB_SPARQL_TOKEN")
        if not token:
            raise InputError([Problem("--auth", None, "", "bearer authentication reads the token from TMKB_SPARQL_TOKEN, which is not set")])
        return Auth("bearer", None, token)
    user, password = os.environ.get("TMKB_SPARQL_USER"), os.environ.get("TMKB_SPARQL_PASSWORD")
    if not user or password is None:
        raise InputError(
            [Problem("--auth", None, "", f"{chosen} authentication reads TMKB_SPARQL_USER and TMKB_SPARQL_PASSWORD, which are not both set")]
        )
    return Auth(chosen, user, password)


def check_url(url: str) -> str:
    """An http(s) URL with a host, or an InputError saying what is wrong with it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError([Problem("--endpoint", None, "", f"expected an http:// or https:// URL, got '{url[:200]}'")])
    return url


def request(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
    auth: Auth = Auth(), timeout_s: float = 30.0,
) -> tuple[int, bytes]:
    """Send one request and read the whole answer before ``timeout_s`` has passed; ServerError otherwise."""
    deadline = time.monotonic() + timeout_s
    req = urllib.request.Request(check_url(url), data=body, method=method, headers=dict(headers or {}))
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if auth.scheme == "basic":
        token = base64.b64encode(f"{auth.user}:{auth.secret}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    elif auth.scheme == "bearer":
        req.add_header("Authorization", f"Bearer {auth.secret}")
    elif auth.scheme == "digest":
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, auth.user or "", auth.secret or "")
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(req, timeout=timeout_s) as response:
            return response.status, _read(response, deadline, url)
    except urllib.error.HTTPError as error:
        detail = error.read(2000).decode("utf-8", "replace").strip()
        raise ServerError(f"{url} answered {error.code} {error.reason}" + (f": {' '.join(detail.split())[:500]}" if detail else "")) from None
    except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        raise ServerError(f"cannot reach {url}: {reason}") from None


def _read(response: object, deadline: float, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise ServerError(f"{url} did not finish answering in time")
        chunk = response.read(_CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ServerError(f"{url} answered more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB; narrow the query")
        chunks.append(chunk)
