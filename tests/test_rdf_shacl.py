"""SHACL shapes hold the RDF of every shipped pattern and example, and catch a graph that breaks them."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from typer.testing import CliRunner

from conftest import EXAMPLES, REPO, TODAY
from tmkb_graph.cli import app
from tmkb_graph.ontology import TMKB
from tmkb_graph.rdf.build import GraphData
from tmkb_graph.rdf.dataset import build_graphs
from tmkb_graph.rdf.shacl import validate_graphs

ARCHITECTURES = sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".expected.yaml"))
STATUS = "https://w3id.org/tmkb-graph/vocab/finding_statuses/"


@pytest.fixture(scope="module")
def graphs() -> list[GraphData]:
    return build_graphs(ARCHITECTURES, today=TODAY)


def test_every_shipped_pattern_and_example_conforms(graphs: list[GraphData]) -> None:
    assert len(graphs) == 1 + len(ARCHITECTURES)
    assert validate_graphs(graphs) == []


def _broken(data: GraphData) -> GraphData:
    """A mitigated finding marked open, one finding without a status, a pattern id of the wrong shape."""
    out = []
    flipped = dropped = False
    for s, p, o in data.triples:
        if p == TMKB.status and o == URIRef(STATUS + "mitigated") and not flipped:
            o, flipped = URIRef(STATUS + "open"), True
        elif p == TMKB.status and o == URIRef(STATUS + "open") and not dropped:
            dropped = True
            continue
        out.append((s, p, o))
    return GraphData(data.iri, out)


def test_a_graph_that_breaks_the_shapes_is_reported_with_file_and_line(graphs: list[GraphData]) -> None:
    kb, webhook = graphs[0], next(g for g in graphs if str(g.iri).endswith("/webhook-processor"))
    problems = validate_graphs([kb, _broken(webhook)], {str(webhook.iri): "examples/webhook-processor.yaml"})
    messages = [str(p) for p in problems]
    assert any("an open finding names at least one missing required mitigation" in m for m in messages)
    assert any("status: SHACL: Less than 1 values" in m for m in messages)
    assert all(m.startswith("examples/webhook-processor.yaml: line ") for m in messages)
    bad_kb = GraphData(None, [(s, p, Literal("AUTHZ-1") if p == TMKB.id and str(s).endswith("TMKB-AUTHZ-001") else o)
                               for s, p, o in kb.triples])
    assert any("a pattern has one id such as TMKB-AUTHZ-001" in str(p) for p in validate_graphs([bad_kb]))


def test_validate_shacl_command() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", "--shacl", str(EXAMPLES / "webhook-processor.yaml"), str(REPO / "patterns" / "webhook")])
    assert result.exit_code == 0, result.output
    shipped = len(list((REPO / "patterns" / "webhook").glob("*.yaml")))
    assert result.stdout.startswith(f"ok: {shipped + 1} files valid")
