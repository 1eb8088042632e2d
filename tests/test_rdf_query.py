"""Named queries on the examples, checked rows; the safety check; limits; parameters; the commands."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture
from tmkb_graph.cli import app
from tmkb_graph.errors import InputError
from tmkb_graph.library import load_library
from tmkb_graph.rdf.build import GraphData
from tmkb_graph.rdf.dataset import build_graphs
from tmkb_graph.rdf.query import (
    NamedQuery,
    QueryError,
    QueryTimeout,
    SparqlResult,
    list_named_queries,
    run_on_graphs,
    run_sparql,
)
from tmkb_graph.resources import data_dir

ARCHITECTURES = sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".expected.yaml"))
WEBHOOK = EXAMPLES / "webhook-processor.yaml"
SAAS = EXAMPLES / "saas-file-processing.yaml"
REQUIRED = {
    "open-findings-by-severity", "findings-by-cwe", "findings-by-owasp", "mitigations-ranked",
    "internet-to-tenant-store-async", "webhook-consumers-unverified", "acceptances-expiring",
    "patterns-without-fixture", "controls-without-d3fend", "finding-changes",
}


@pytest.fixture(scope="module")
def graphs() -> list[GraphData]:
    return build_graphs(ARCHITECTURES, today=TODAY)


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    return {load_architecture(p).model.name: analyze(load_architecture(p), today=TODAY) for p in ARCHITECTURES}


def _rows(graphs: list[GraphData], name: str, **params: str) -> list[dict[str, str | None]]:
    result = run_on_graphs(graphs, name=name, params=params)
    assert not result.truncated
    return result.rows


def test_at_least_twelve_named_queries_each_with_a_header() -> None:
    named = {q.name: q for q in list_named_queries()}
    assert len(named) >= 12 and REQUIRED <= set(named)
    for path in Path(data_dir("queries")).glob("*.rq"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"# Name: {path.stem}\n"), path.name
        assert named[path.stem].title and "?" in named[path.stem].description, path.name
    assert named["findings-by-cwe"].params == ["cwe", "status"]
    assert isinstance(named["controls"], NamedQuery)


def test_every_named_query_runs_on_the_examples(graphs: list[GraphData]) -> None:
    params = {"finding-changes": {"before": "webhook-processor", "after": "saas-file-processing"}}
    for query in list_named_queries():
        result = run_on_graphs(graphs, name=query.name, params=params.get(query.name))
        assert result.kind == "select" and result.variables, query.name


def test_open_findings_by_severity_match_the_analysis(graphs: list[GraphData], results: dict) -> None:
    expected = {(name, sev): n for name, r in results.items() for sev, n in r.summary.open_by_severity.items() if n}
    rows = _rows(graphs, "open-findings-by-severity")
    assert {(r["architecture"], r["severity"]): int(r["open"]) for r in rows} == expected
    ranks = [{"critical": 4, "high": 3, "medium": 2, "low": 1}[r["severity"]] for r in rows]
    assert ranks == sorted(ranks, reverse=True)


def test_findings_by_cwe_are_the_open_findings_of_patterns_citing_it(graphs: list[GraphData], results: dict) -> None:
    library = load_library()
    expected = {
        (name, f.id)
        for name, r in results.items()
        for f in r.findings
        if f.status == "open" and "CWE-862" in library.get(f.pattern).references.cwe
    }
    rows = _rows(graphs, "findings-by-cwe", cwe="CWE-862", status="open")
    assert expected and {(r["architecture"], r["finding"]) for r in rows} == expected
    assert {r["weakness"] for r in rows} == {"http://d3fend.mitre.org/ontologies/d3fend.owl#CWE-862"}


def test_findings_by_owasp(graphs: list[GraphData], results: dict) -> None:
    library = load_library()
    expected = Counter(
        f.status for r in results.values() for f in r.findings if "API1:2023" in library.get(f.pattern).references.owasp_api
    )
    rows = _rows(graphs, "findings-by-owasp", owasp="API1:2023")
    assert Counter(r["status"] for r in rows) == expected
    assert {r["title"] for r in rows} == {"Broken Object Level Authorization"}


def test_mitigations_ranked_by_findings_they_close(graphs: list[GraphData], results: dict) -> None:
    would_close: Counter[tuple[str, str, str]] = Counter()
    missing_in: Counter[tuple[str, str, str]] = Counter()
    for name, result in results.items():
        for finding in (f for f in result.findings if f.status == "open"):
            fixes = {(name, gap.control, gap.at) for gap in finding.missing if gap.required}
            missing_in.update(fixes)
            if len(fixes) == 1:
                would_close.update(fixes)
    rows = _rows(graphs, "mitigations-ranked")
    assert {(r["architecture"], r["control"], r["place"]): (int(r["would_close"]), int(r["missing_in"])) for r in rows} == {
        key: (would_close[key], count) for key, count in missing_in.items()
    }
    closing = [int(r["would_close"]) for r in rows]
    assert closing == sorted(closing, reverse=True)
    assert ("Hookline webhook processor", "job_reauthorization", "component ci_worker") in would_close


def test_internet_to_tenant_store_across_an_async_hop(graphs: list[GraphData]) -> None:
    rows = _rows(graphs, "internet-to-tenant-store-async")
    found = {(r["architecture"], r["entry"], r["consumer"], r["store"]) for r in rows}
    assert ("Hookline webhook processor", "git_hooks", "ci_worker", "app_db") in found
    assert ("Hookline webhook processor", "dashboard", "ci_worker", "app_db") in found
    # the billing worker does not re-authorize either, but its store isolates tenants itself
    assert not any(r["consumer"] == "billing_worker" for r in rows)
    # the file processor re-authorizes its jobs, and the thumbnailer only touches the isolated bucket
    assert not any(r["consumer"] in ("file_processor", "thumbnailer") for r in rows)
    assert ("Docstash file processing", "api", "exporter", "metadata_db") in found


def test_webhook_consumers_that_reverify_nothing(graphs: list[GraphData]) -> None:
    rows = _rows(graphs, "webhook-consumers-unverified")
    assert [(r["architecture"], r["receiver"], r["consumer"]) for r in rows] == [
        ("Hookline webhook processor", "git_hooks", "ci_worker")
    ]
    assert rows[0]["receiver_checks"] == "webhook_signature_verification"


def test_acceptances_expiring_within_n_days(graphs: list[GraphData]) -> None:
    soon = _rows(graphs, "acceptances-expiring", days="200")
    assert [(r["architecture"], r["expires"], r["remaining"]) for r in soon] == [
        ("Docstash file processing", "2027-03-31", "P127D")
    ]
    assert _rows(graphs, "acceptances-expiring") == []  # 30 days by default
    assert _rows(graphs, "acceptances-expiring", days="126") == []


def test_patterns_without_fixture(tmp_path: Path) -> None:
    library = load_library()
    complete = build_graphs([], today=TODAY)
    assert run_on_graphs(complete, name="patterns-without-fixture").rows == []
    (tmp_path / "TMKB-AUTHZ-001").mkdir()
    (tmp_path / "TMKB-AUTHZ-001" / "applies.yaml").write_text("x", encoding="utf-8")
    partial = build_graphs([], today=TODAY, fixtures_dir=tmp_path)
    rows = run_on_graphs(partial, name="patterns-without-fixture", max_rows=5000).rows
    assert ("TMKB-AUTHZ-001", "silent") in {(r["pattern"], r["missing"]) for r in rows}
    assert ("TMKB-AUTHZ-001", "applies") not in {(r["pattern"], r["missing"]) for r in rows}
    assert len(rows) == 2 * len(library.sorted()) - 1


def test_controls_without_d3fend(graphs: list[GraphData]) -> None:
    from tmkb_graph.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    unmapped = {name for name in vocab.names("controls") if not vocab.fact("controls", name, "d3fend")}
    rows = _rows(graphs, "controls-without-d3fend")
    assert {r["control"] for r in rows} == unmapped
    assert "webhook_signature_verification" not in unmapped and "replay_protection" in unmapped


def test_finding_changes_between_two_analyses(tmp_path: Path) -> None:
    text = WEBHOOK.read_text(encoding="utf-8")
    changed = text.replace(
        "operation: read, resource: WebhookEvent, controls: [authn]}",
        "operation: read, resource: WebhookEvent, controls: [authn, object_ownership_check]}",
    ).replace("  - {from: dashboard, to: repo_events, kind: enqueue, carries: [resource_id, user_id, tenant_id]}\n", "")
    assert changed != text
    later = tmp_path / "webhook-processor-v2.yaml"
    later.write_text(changed, encoding="utf-8")
    graphs = build_graphs([WEBHOOK, later], today=TODAY)
    rows = run_on_graphs(graphs, name="finding-changes", params={"before": "webhook-processor", "after": "webhook-processor-v2"}).rows
    changes = {r["finding"]: (r["change"], r["before_status"], r["after_status"]) for r in rows}
    before = {f.id: f.status for f in analyze(load_architecture(WEBHOOK), today=TODAY).findings}
    after = {f.id: f.status for f in analyze(load_architecture(later), today=TODAY).findings}
    expected = {i: ("removed", s, None) for i, s in before.items() if i not in after}
    expected |= {i: ("added", None, s) for i, s in after.items() if i not in before}
    expected |= {i: ("status changed", before[i], after[i]) for i in before.keys() & after.keys() if before[i] != after[i]}
    assert changes == expected and expected
    with pytest.raises(InputError, match="missing parameter 'after'"):
        run_on_graphs(graphs, name="finding-changes", params={"before": "webhook-processor"})


def test_the_original_two_queries_still_answer(graphs: list[GraphData]) -> None:
    assert [r["word"] for r in _rows(graphs, "boundary-kinds")] == sorted(
        ["async", "ingress", "third_party", "service", "tenant", "network"]
    )
    assert len(_rows(graphs, "controls")) >= 16


# --- safety ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, words",
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT is an update"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE is an update"),
        ("LOAD <http://example.org/x.ttl>", "LOAD is an update"),
        ("CLEAR ALL", "CLEAR is an update"),
        ("DROP GRAPH <urn:g>", "DROP is an update"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE would query another server"),
        ("select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE would query another server"),
        ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM names <http://example.org/data.ttl>"),
        ("PREFIX ex: <http://example.org/>\nSELECT * FROM NAMED ex:g WHERE { ?s ?p ?o }", "FROM names ex:g"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT returns a graph"),
        ("SELECT * WHERE { ?s ?p 'open", "a string is not closed"),
    ],
)
def test_unsafe_queries_are_refused_before_they_run(graphs: list[GraphData], query: str, words: str) -> None:
    with pytest.raises(QueryError, match=words):
        run_on_graphs(graphs, query)


def test_keywords_inside_strings_iris_and_comments_are_not_refused(graphs: list[GraphData]) -> None:
    query = (
        "# DELETE and SERVICE in a comment\n"
        "SELECT ?x ?y WHERE { BIND(\"INSERT DATA SERVICE\" AS ?x) BIND(<urn:load:drop> AS ?y) }"
    )
    result = run_on_graphs(graphs, query)
    assert result.rows == [{"x": "INSERT DATA SERVICE", "y": "urn:load:drop"}]


def test_from_may_name_a_graph_of_the_store(graphs: list[GraphData]) -> None:
    query = (
        "PREFIX tmkb: <https://w3id.org/tmkb-graph/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/tmkb-graph/arch/webhook-processor> WHERE { ?f a tmkb:Finding }"
    )
    assert run_on_graphs(graphs, query).rows == [{"n": "12"}]


def test_a_query_that_does_not_parse_gets_line_and_column(graphs: list[GraphData]) -> None:
    with pytest.raises(QueryError, match=r"line 3, column 2: the query does not parse"):
        run_on_graphs(graphs, "SELECT ?x WHERE {\n  ?x ?y\n}")


def test_a_runaway_query_is_stopped_at_the_time_limit(graphs: list[GraphData]) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 0.5 s"):
        run_on_graphs(graphs, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }", timeout_s=0.5)
    assert time.monotonic() - started < 5


def test_results_are_capped_and_say_so(graphs: list[GraphData]) -> None:
    result = run_on_graphs(graphs, "SELECT ?s WHERE { ?s ?p ?o }", max_rows=7)
    assert len(result.rows) == 7 and result.truncated


def test_parameters_are_bound_as_terms_never_as_text(graphs: list[GraphData]) -> None:
    hostile = 'x" } } ; DROP ALL ; SELECT * WHERE { "'
    result = run_on_graphs(graphs, "SELECT ?v (STRLEN(?v) AS ?n) WHERE { }", params={"v": hostile})
    assert result.rows == [{"v": hostile, "n": str(len(hostile))}]
    with pytest.raises(InputError, match="expected an integer"):
        run_on_graphs(graphs, name="acceptances-expiring", params={"days": "30) || true"})
    with pytest.raises(InputError, match="takes no parameter 'dayz'"):
        run_on_graphs(graphs, name="acceptances-expiring", params={"dayz": "3"})
    with pytest.raises(InputError, match="not a variable of the query"):
        run_on_graphs(graphs, "SELECT ?a WHERE { }", params={"b": "1"})
    with pytest.raises(InputError, match="expected an IRI"):
        run_on_graphs(graphs, name="finding-changes", params={"before": "<urn:a> <urn:b>", "after": "x"})


def test_sparql_json_results_format(graphs: list[GraphData]) -> None:
    result = run_on_graphs(graphs, "SELECT ?n ?i ?l WHERE { BIND(3 AS ?n) BIND(<urn:x> AS ?i) BIND(\"a\"@en AS ?l) }")
    assert result.to_sparql_json() == {
        "head": {"vars": ["n", "i", "l"]},
        "results": {"bindings": [{
            "n": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
            "i": {"type": "uri", "value": "urn:x"},
            "l": {"type": "literal", "value": "a", "xml:lang": "en"},
        }]},
    }
    ask = run_on_graphs(graphs, "ASK { ?s a ?o }")
    assert ask.kind == "ask" and ask.boolean is True and ask.to_sparql_json() == {"head": {}, "boolean": True}


def test_run_sparql_public_api() -> None:
    result = run_sparql(name="open-findings-by-severity", arch_files=[str(WEBHOOK)])
    assert isinstance(result, SparqlResult) and result.variables == ["architecture", "severity", "open"]
    assert {r["architecture"] for r in result.rows} == {"Hookline webhook processor"}
    with pytest.raises(InputError):
        run_sparql("SELECT", max_rows=3)
    with pytest.raises(InputError):
        run_sparql("SELECT * WHERE { ?s ?p ?o }", name="controls")


# --- commands --------------------------------------------------------------------------------

def test_sparql_command_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["sparql", "findings-by-cwe", "--arch", str(WEBHOOK), "-p", "cwe=CWE-862", "-p", "status=open", "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["head"]["vars"][0] == "cwe" and len(data["results"]["bindings"]) == 2
    csv_out = runner.invoke(app, ["sparql", "controls", "-f", "csv"])
    assert csv_out.stdout.splitlines()[0] == "word,label,definition"
    query_file = tmp_path / "mine.rq"
    query_file.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert runner.invoke(app, ["sparql", str(query_file)]).stdout == "yes\n"
    table = runner.invoke(app, ["sparql", "-q", "SELECT ?s WHERE { ?s ?p ?o }", "--max-rows", "2"])
    assert table.exit_code == 0 and "(2 rows, cut)" in table.stdout and "cut at 2 rows" in table.stderr


def test_sparql_command_errors_are_one_paragraph_and_exit_2() -> None:
    runner = CliRunner()
    for args in (["sparql", "-q", "DROP ALL"], ["sparql", "no-such-query"], ["sparql"], ["sparql", "controls", "-p", "novalue"]):
        out = runner.invoke(app, args)
        assert out.exit_code == 2 and out.stderr.startswith("error:") and "Traceback" not in out.output, args


def test_queries_command_lists_them() -> None:
    out = CliRunner().invoke(app, ["queries", "--format", "json"])
    listed = json.loads(out.stdout)
    assert {q["name"] for q in listed} == {q.name for q in list_named_queries()}
    table = CliRunner().invoke(app, ["queries"])
    assert "acceptances-expiring  [--param days=...]" in table.stdout
