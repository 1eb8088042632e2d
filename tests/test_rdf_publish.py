"""publish and sparql --endpoint against a real Oxigraph server, started and stopped on loopback."""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, TODAY
from tmkb_graph.cli import app
from tmkb_graph.rdf.dataset import build_graphs
from tmkb_graph.rdf.publish import graph_url, publish
from tmkb_graph.rdf.query import run_on_endpoint, run_on_graphs

WEBHOOK = EXAMPLES / "webhook-processor.yaml"
SAAS = EXAMPLES / "saas-file-processing.yaml"
COUNTS = (
    "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o BIND(\"default\" AS ?g) } } "
    "GROUP BY ?g ORDER BY ?g"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the oxigraph server binary is missing: pip install '.[test]' installs it")
    return found


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server on a free loopback port; yields its base URL and stops it afterwards."""
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    server = subprocess.Popen(
        [_oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not start: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _counts(base: str) -> dict[str, int]:
    return {r["g"]: int(r["n"]) for r in run_on_endpoint(f"{base}/query", COUNTS, max_rows=100).rows}  # type: ignore[arg-type]


def test_publish_then_query_the_server_like_the_local_store(oxigraph: str) -> None:
    graphs = build_graphs([WEBHOOK, SAAS], today=TODAY)
    report = publish(f"{oxigraph}/store", graphs)
    assert report.ok and [name for name, _ in report.landed][1:] == [str(g.iri) for g in graphs[1:]]
    counts = _counts(oxigraph)
    assert counts == {("default" if g.iri is None else str(g.iri)): len(set(g.triples)) for g in graphs}
    for name, params in [
        ("open-findings-by-severity", {}),
        ("findings-by-cwe", {"cwe": "CWE-862", "status": "open"}),
        ("mitigations-ranked", {}),
        ("internet-to-tenant-store-async", {}),
    ]:
        local = run_on_graphs(graphs, name=name, params=params)
        remote = run_on_endpoint(f"{oxigraph}/query", name=name, params=params)
        assert remote.variables == local.variables and remote.rows == local.rows, name
        assert remote.to_sparql_json() == local.to_sparql_json(), name


def test_publishing_again_replaces_each_graph(oxigraph: str, tmp_path: Path) -> None:
    graphs = build_graphs([WEBHOOK], today=TODAY)
    assert publish(f"{oxigraph}/store", graphs).ok
    first = _counts(oxigraph)
    assert publish(f"{oxigraph}/store", graphs).ok
    assert _counts(oxigraph) == first
    smaller = tmp_path / "webhook-processor.yaml"
    smaller.write_text(
        WEBHOOK.read_text(encoding="utf-8").replace(
            "  - {from: dashboard, to: repo_events, kind: enqueue, carries: [resource_id, user_id, tenant_id]}\n", ""
        ),
        encoding="utf-8",
    )
    again = build_graphs([smaller], today=TODAY)
    assert publish(f"{oxigraph}/store", again).ok
    iri = str(again[1].iri)
    assert _counts(oxigraph)[iri] == len(set(again[1].triples)) < first[iri]


def test_publish_and_sparql_commands_against_the_server(oxigraph: str) -> None:
    runner = CliRunner()
    published = runner.invoke(app, ["publish", "--endpoint", f"{oxigraph}/store", "--arch", str(WEBHOOK)])
    assert published.exit_code == 0, published.output
    assert "published https://w3id.org/tmkb-graph/arch/webhook-processor" in published.stdout
    asked = runner.invoke(app, ["sparql", "webhook-consumers-unverified", "--endpoint", f"{oxigraph}/query", "-f", "csv"])
    assert asked.exit_code == 0 and "git_hooks" in asked.stdout and "ci_worker" in asked.stdout
    refused = runner.invoke(
        app, ["sparql", "-q", "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", "--endpoint", f"{oxigraph}/query"]
    )
    assert refused.exit_code == 2 and "SERVICE" in refused.stderr
    wrong_path = runner.invoke(app, ["sparql", "controls", "--endpoint", f"{oxigraph}/nothing-here"])
    assert wrong_path.exit_code == 3 and "answered 404" in wrong_path.stderr


def test_a_server_that_is_down_gets_a_clear_message() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    runner = CliRunner()
    result = runner.invoke(app, ["publish", "--endpoint", f"{url}/store", "--arch", str(WEBHOOK)])
    assert result.exit_code == 3
    assert "cannot reach" in result.stderr and "0 of 2 graphs landed" in result.stderr
    queried = runner.invoke(app, ["sparql", "controls", "--endpoint", f"{url}/query"])
    assert queried.exit_code == 3 and "cannot reach" in queried.stderr and "Traceback" not in queried.output


class _FailsSecondPut(http.server.BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_PUT(self) -> None:  # noqa: N802 - the http.server hook's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).calls.append(self.path)
        status = 204 if len(type(self).calls) == 1 else 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_half_finished_publish_says_which_graphs_landed() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FailsSecondPut)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/store"
        result = CliRunner().invoke(app, ["publish", "--endpoint", url, "--arch", str(WEBHOOK), "--arch", str(SAAS)])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 3
    assert result.stdout.startswith("published default graph (knowledge base)")
    assert "answered 500" in result.stderr
    assert "1 of 3 graphs landed" in result.stderr and "arch/webhook-processor failed; 1 not sent" in result.stderr
    assert _FailsSecondPut.calls[0] == "/store?default"


def test_graph_store_urls() -> None:
    assert graph_url("http://h/store", None) == "http://h/store?default"
    assert graph_url("http://h/ds/data", "https://w3id.org/tmkb-graph/arch/a b") == (
        "http://h/ds/data?graph=https%3A%2F%2Fw3id.org%2Ftmkb-graph%2Farch%2Fa%20b"
    )
    assert graph_url("http://h/rdf-graphs/service?x=1", None) == "http://h/rdf-graphs/service?x=1&default"
