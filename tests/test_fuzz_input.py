"""Property-based fuzzing of the command line with mutated examples: a clean answer or a clean error.

Each example is an architecture from examples/ with a few mutations: lines deleted, duplicated,
swapped or truncated; scalars replaced by other types, long strings, control characters, explicit
tags, anchors and aliases; random lines inserted. Every run must end one of two ways:

* exit 0 or 1 with valid JSON on stdout (and a table and Markdown with no raw control characters), or
* exit 2 with a short error (under 4 KB and 25 lines) that names the file, escapes control
  characters and holds no traceback;

and ``validate`` must accept exactly the files ``analyze`` accepts.

The default run tries a modest number of inputs; set TMKB_FUZZ_EXAMPLES for a long run (the figures
are printed at the end of the module when it is set, with ``pytest -s``).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLES
from tmkb_graph.cli import app

FUZZ_EXAMPLES = int(os.environ.get("TMKB_FUZZ_EXAMPLES", "30"))
MAX_ERROR_BYTES = 4096
MAX_ERROR_LINES = 25
EXAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml")) if not p.name.endswith(".expected.yaml")]

runner = CliRunner()
STATS: Counter[str] = Counter()
SLOWEST: list[float] = [0.0]

CONTROL = ["\\x1b]0;owned\\x07", "\\x1b[2J", "\\n", "\\r", "\\x00", "\\u202e", "\\u2066", "\\x07", "\\x9b", "\\u2028"]
SCALARS = [
    "true", "false", "yes", "null", "~", "0", "-1", "1.5", "1e999", ".nan", "0x1F", "[]", "{}", "[a, b]", "{a: 1}",
    "2027-13-01", "2027-06-30", "2027-06-30 10:00:00", "''", '""', "'  '", "9" * 40,
    "!!timestamp x", "!!bool x", '!!int ""', "!!seq x", "!!binary aGVsbG8=", "!!python/object/apply:os.system ['true']",
    "!custom x", "! x", "&anchor value", "*anchor", "!!str", "!!map {a: 1}",
    "GET /" + "{" * 2000, "x" * 250, "TMKB-AUTHZ-999", "TMKB-AUTHZ-00l",
]


def _value_strategy() -> st.SearchStrategy[str]:
    control = st.sampled_from(CONTROL).map(lambda c: f'"a{c}b"')
    long_text = st.integers(min_value=100, max_value=30_000).map(lambda n: "y" * n)
    random_text = st.text(min_size=0, max_size=40).map(lambda t: json.dumps(t, ensure_ascii=False))  # double-quoted YAML
    return st.one_of(st.sampled_from(SCALARS), control, long_text, random_text)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    """An example architecture with one to four mutations applied."""
    lines = draw(st.sampled_from(EXAMPLE_TEXTS)).split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        lines = draw(_mutation(lines))
    return "\n".join(lines)


@st.composite
def _mutation(draw: st.DrawFn, lines: list[str]) -> list[str]:
    lines = list(lines)
    if not lines:
        return ["name: x"]
    i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "value", "value", "truncate", "insert", "key"]))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "value":
        lines[i] = _replace_value(lines[i], draw(_value_strategy()), draw(st.integers(min_value=0, max_value=8)))
    elif kind == "truncate":
        text = "\n".join(lines)
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        lines = text[:cut].split("\n")
    elif kind == "insert":
        lines.insert(i, draw(st.text(max_size=60)).replace("\r", ""))
    else:  # rename a key: an unknown field, or a very long key
        key = draw(st.sampled_from(["contols", "zzz", "k" * 300, "k" * 1100, "? " + "k" * 50, "<<"]))
        lines[i] = key + ": " + (lines[i].split(":", 1)[1] if ":" in lines[i] else "x")
    return lines


def _replace_value(line: str, value: str, which: int) -> str:
    """Replace the value after one of the line's 'key:' (flow mappings have several), keeping the rest."""
    parts = line.split(": ")
    if len(parts) < 2:
        return line + " " + value
    k = 1 + which % (len(parts) - 1)
    tail = parts[k]
    stop = min((tail.find(c) for c in ",}]" if c in tail), default=len(tail))
    parts[k] = value + tail[stop:]
    return ": ".join(parts)


def _run(*args: str) -> tuple[object, float]:
    start = time.process_time()
    result = runner.invoke(app, list(args))
    elapsed = time.process_time() - start
    SLOWEST[0] = max(SLOWEST[0], elapsed)
    return result, elapsed


def _assert_clean_error(result: object, name: str) -> None:
    err: str = result.stderr  # type: ignore[attr-defined]
    assert err, "exit 2 with nothing on stderr"
    assert "Traceback" not in err
    assert len(err.encode("utf-8")) < MAX_ERROR_BYTES, err[:500]
    lines = err.rstrip("\n").split("\n")
    assert len(lines) <= MAX_ERROR_LINES, err[:500]
    for line in lines:
        assert line.startswith(("error: ", "warning: ", "... and ")), line[:200]
        assert line.startswith("... and ") or name in line, line[:200]
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in line), repr(line[:200])


def _assert_no_raw_controls(text: str) -> None:
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    assert not bad, repr(bad[:5])


def check_one(text: str) -> None:
    """The property: one input, run through analyze (JSON and table) and validate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "arch.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result, _ = _run("analyze", str(path), "--format", "json")
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)  # type: ignore[attr-defined]
        code = result.exit_code  # type: ignore[attr-defined]
        assert code in (0, 1, 2), code
        STATS[f"exit {code}"] += 1
        if code in (0, 1):
            json.loads(result.stdout)  # type: ignore[attr-defined]
            for fmt in ("table", "markdown"):
                shown, _ = _run("analyze", str(path), "--format", fmt, "--fail-on", "none")
                assert shown.exit_code == 0  # type: ignore[attr-defined]
                _assert_no_raw_controls(shown.stdout)  # type: ignore[attr-defined]
        else:
            _assert_clean_error(result, "arch.yaml")
        validated, _ = _run("validate", str(path))
        assert validated.exception is None or isinstance(validated.exception, SystemExit)  # type: ignore[attr-defined]
        assert (validated.exit_code == 0) == (code in (0, 1)), (validated.stderr[:500], result.stderr[:500])  # type: ignore[attr-defined]
        if validated.exit_code != 0:  # type: ignore[attr-defined]
            _assert_clean_error(validated, "arch.yaml")


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # CPU time is measured (SLOWEST) and bounded by the per-run check below, not a flaky deadline
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(mutated_example())
def test_mutated_examples_get_a_clean_answer_or_a_clean_error(text: str) -> None:
    STATS["inputs"] += 1
    check_one(text)
    assert SLOWEST[0] < 30, f"one run took {SLOWEST[0]:.1f} s"


@pytest.fixture(scope="module", autouse=True)
def _report_long_run():  # type: ignore[no-untyped-def]
    yield
    if "TMKB_FUZZ_EXAMPLES" in os.environ:
        print(f"\nfuzz: {STATS['inputs']} inputs; {dict((k, v) for k, v in STATS.items() if k.startswith('exit'))}; slowest run {SLOWEST[0]:.2f} s")
