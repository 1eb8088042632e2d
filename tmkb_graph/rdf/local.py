"""Run a checked query on a pyoxigraph store under a wall-clock limit and a row cap.

pyoxigraph evaluates in native code and offers no way to cancel a query, so on systems with
``fork`` the query runs in a forked child (which shares the store's memory copy-on-write) and the
child is killed when time is up. Elsewhere it runs in a thread that is abandoned on timeout.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import TYPE_CHECKING, Any

from tmkb_graph.rdf.safety import QueryError, QueryTimeout

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from tmkb_graph.rdf.query import SparqlResult, Term

Outcome = tuple[str, Any]  # ("ok", (kind, variables, rows, boolean, truncated)) or ("error", message)


def run_local(store: pyoxigraph.Store, text: str, *, timeout_s: float, max_rows: int) -> SparqlResult:
    """Evaluate ``text`` (already checked by ``rdf.safety``) on ``store``."""
    if "fork" in multiprocessing.get_all_start_methods():
        outcome = _in_child(store, text, timeout_s, max_rows)
    else:  # pragma: no cover - platforms without fork
        outcome = _in_thread(store, text, timeout_s, max_rows)
    status, value = outcome
    if status == "error":
        raise _syntax_error(value)
    return _result(*value)


def _evaluate(store: pyoxigraph.Store, text: str, max_rows: int) -> Outcome:
    import pyoxigraph as ox

    try:
        answer = store.query(text)
    except SyntaxError as error:
        return ("error", str(error))
    except (OSError, ValueError, TypeError) as error:
        return ("error", f"the query failed: {error}")
    if isinstance(answer, ox.QueryBoolean):
        return ("ok", ("ask", [], [], bool(answer), False))
    variables = [v.value for v in answer.variables]
    rows: list[dict[str, Term]] = []
    truncated = False
    try:
        for solution in answer:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append({name: _json_term(solution[name]) for name in variables if solution[name] is not None})
    except (OSError, ValueError, TypeError) as error:
        return ("error", f"the query failed: {error}")
    return ("ok", ("select", variables, rows, None, truncated))


def _in_child(store: pyoxigraph.Store, text: str, timeout_s: float, max_rows: int) -> Outcome:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def work() -> None:
        try:
            sender.send(_evaluate(store, text, max_rows))
        except BaseException as error:  # noqa: BLE001 - the parent reports it
            sender.send(("error", f"the query failed: {error}"))

    child = context.Process(target=work, daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped; narrow it, or raise the limit")
        return receiver.recv()  # type: ignore[no-any-return]
    except EOFError:
        raise QueryError("the query worker ended without an answer (out of memory?)") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _in_thread(store: pyoxigraph.Store, text: str, timeout_s: float, max_rows: int) -> Outcome:  # pragma: no cover
    box: list[Outcome] = []
    worker = threading.Thread(target=lambda: box.append(_evaluate(store, text, max_rows)), daemon=True)
    worker.start()
    worker.join(timeout_s)
    if not box:
        raise QueryTimeout(f"the query ran longer than {timeout_s:g} s; its answer is abandoned")
    return box[0]


def _syntax_error(message: str) -> QueryError:
    """pyoxigraph says 'error at 3:2: expected ...'; we say 'line 3, column 2: expected ...'."""
    import re

    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if match:
        return QueryError(f"the query does not parse: {match.group(3)}", int(match.group(1)), int(match.group(2)))
    return QueryError(message if message.startswith("the query") else f"the query does not parse: {message}")


def _json_term(term: Any) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _result(kind: str, variables: list[str], rows: list[dict[str, Term]], boolean: bool | None, truncated: bool) -> SparqlResult:
    from tmkb_graph.rdf.query import SparqlResult

    result = SparqlResult(
        kind=kind,  # type: ignore[arg-type]
        variables=variables,
        rows=[{name: (row[name]["value"] if name in row else None) for name in variables} for row in rows],
        boolean=boolean,
        truncated=truncated,
    )
    result._terms = rows
    return result
