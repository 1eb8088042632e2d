"""RDF of everything: the knowledge base and each analysed architecture's named graph."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rdflib import OWL, RDF, SKOS, Dataset, Literal, URIRef
from typer.testing import CliRunner

from conftest import EXAMPLES, REPO, TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture
from tmkb_graph.cli import app
from tmkb_graph.errors import InputError
from tmkb_graph.ontology import TMKB, build_ontology_graph
from tmkb_graph.rdf.dataset import build_graphs, default_graph, to_rdflib
from tmkb_graph.rdf.export import serialize
from tmkb_graph.rdf.iris import arch_iri, arch_slug, finding_iri, term_iri

ARCHITECTURES = sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".expected.yaml"))
WEBHOOK = EXAMPLES / "webhook-processor.yaml"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return to_rdflib(build_graphs(ARCHITECTURES, today=TODAY))


def test_every_class_and_property_used_is_declared_in_the_ontology(dataset: Dataset) -> None:
    ontology = build_ontology_graph()
    declared = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    used = {p for _, p, _, _ in dataset.quads() if str(p).startswith(str(TMKB))}
    used_classes = {o for _, _, o, _ in dataset.quads((None, RDF.type, None, None)) if str(o).startswith(str(TMKB))}
    assert used - declared == set()
    assert used_classes - classes == set()
    assert len(classes) >= 20 and len(declared) >= 90


def test_each_architecture_is_a_named_graph_with_every_finding_by_its_stable_id(dataset: Dataset) -> None:
    for path in ARCHITECTURES:
        arch = load_architecture(path)
        result = analyze(arch, today=TODAY)
        graph_iri = arch_iri(arch_slug(arch.file, arch.model.name))
        graph = dataset.graph(graph_iri)
        assert (graph_iri, RDF.type, TMKB.Architecture) in graph
        findings = set(graph.subjects(RDF.type, TMKB.Finding))
        assert findings == {finding_iri(graph_iri, f.id) for f in result.findings}
        for finding in result.findings:
            iri = finding_iri(graph_iri, finding.id)
            assert graph.value(iri, TMKB.status) == term_iri("finding_statuses", finding.status)
            assert graph.value(iri, TMKB.id) == Literal(finding.id)
            assert len(set(graph.objects(iri, TMKB.missing))) == len(finding.missing)
        # the knowledge base is in the default graph, not in the architecture's
        assert (None, RDF.type, TMKB.Pattern) not in graph


def test_findings_iris_are_stable_and_under_their_architecture() -> None:
    graph_iri = arch_iri("webhook-processor")
    assert str(finding_iri(graph_iri, "TMKB-AUTHZ-001:8ba00988138d")) == (
        "https://w3id.org/tmkb-graph/arch/webhook-processor/finding/TMKB-AUTHZ-001:8ba00988138d"
    )
    assert arch_slug("examples/Saas File.YAML", "x") == "saas-file"
    assert arch_slug("-", "Acme Files!") == "acme-files"


def test_links_out_to_cwe_d3fend_owasp_and_capec(dataset: Dataset) -> None:
    kb = default_graph(dataset)
    pattern = URIRef("https://w3id.org/tmkb-graph/pattern/TMKB-WEBHOOK-001")
    cwe = URIRef("http://d3fend.mitre.org/ontologies/d3fend.owl#CWE-345")
    assert (pattern, TMKB.weakness, cwe) in kb
    assert (cwe, SKOS.exactMatch, URIRef("https://cwe.mitre.org/data/definitions/345.html")) in kb
    assert (pattern, TMKB.capec, URIRef("https://capec.mitre.org/data/definitions/194.html")) in kb
    api10 = URIRef("https://w3id.org/tmkb-graph/owasp/api-2023/API10")
    assert (pattern, TMKB.owaspApi, api10) in kb
    assert kb.value(api10, SKOS.notation) == Literal("API10:2023")
    signature = term_iri("controls", "webhook_signature_verification")
    assert kb.value(signature, TMKB.d3fendTechnique) == URIRef("http://d3fend.mitre.org/ontologies/d3fend.owl#MessageAuthentication")
    assert kb.value(term_iri("controls", "replay_protection"), TMKB.d3fendTechnique) is None


def test_crossings_are_on_their_flows_and_cited_by_findings(dataset: Dataset) -> None:
    graph = dataset.graph(arch_iri("webhook-processor"))
    flow = URIRef("https://w3id.org/tmkb-graph/arch/webhook-processor/flow/github--webhook--git_hooks")
    assert (flow, TMKB.crosses, term_iri("boundary_kinds", "third_party")) in graph
    cited = set(graph.objects(None, TMKB.madeApplicableBy))
    assert cited and all((x, RDF.type, TMKB.Crossing) in graph for x in cited)


def test_the_fast_store_load_keeps_every_term_exactly() -> None:
    import pyoxigraph as ox

    from tmkb_graph.architecture import parse_architecture
    from tmkb_graph.rdf.build import Analysed, architecture_graph
    from tmkb_graph.rdf.dataset import _Converter, to_oxigraph
    from tmkb_graph.rdf.knowledge_base import knowledge_base
    from tmkb_graph.library import load_library

    hostile = 'quote " backslash \\ newline \n return \r tab \t accents \u00e9\u00fc emoji \U0001F600'
    arch = parse_architecture(
        "name: probe\ncomponents:\n  a: {type: api, description: " + json.dumps(hostile, ensure_ascii=False) + "}\n", "probe.yaml"
    )
    library = load_library()
    graphs = [knowledge_base(library), architecture_graph(arch, analyze(arch, library, today=TODAY), "probe", TODAY)]
    fast = set(to_oxigraph(graphs))
    convert = _Converter()
    slow = {
        ox.Quad(convert(s), convert(p), convert(o), ox.DefaultGraph() if g.iri is None else ox.NamedNode(str(g.iri)))
        for g in graphs
        for s, p, o in g.triples
    }
    assert fast == slow
    assert ox.Literal(hostile) in {q.object for q in fast}
    assert Analysed  # the builder's public record type


def test_two_files_with_the_same_slug_are_refused(tmp_path) -> None:
    copy = tmp_path / "webhook-processor.yaml"
    copy.write_text(WEBHOOK.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="already taken"):
        build_graphs([WEBHOOK, copy], today=TODAY)


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_export_round_trips_through_rdflib(fmt: str) -> None:
    graphs = build_graphs([WEBHOOK], today=TODAY)
    parsed = Dataset()
    parsed.parse(data=serialize(graphs, fmt), format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(parsed) == len(to_rdflib(graphs))
    assert len(parsed.graph(arch_iri("webhook-processor"))) > 500


def test_export_gives_the_same_bytes_whatever_the_hash_seed() -> None:
    script = (
        "import sys; from conftest import TODAY; from tmkb_graph.rdf.dataset import build_graphs;"
        "from tmkb_graph.rdf.export import serialize;"
        f"g = build_graphs([{str(WEBHOOK)!r}], today=TODAY);"
        "sys.stdout.write(serialize(g, 'trig') + serialize(g, 'nquads') + serialize(g[:1], 'turtle'))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO / "tests")}
        outputs.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True).stdout)
    assert len(outputs) == 1
    graphs = build_graphs([WEBHOOK], today=TODAY)
    assert serialize(graphs, "jsonld") == serialize(list(reversed(graphs)), "jsonld")  # sorted, whatever the order


def test_export_command() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--arch", str(WEBHOOK), "--format", "nquads"])
    assert result.exit_code == 0, result.output
    assert "<https://w3id.org/tmkb-graph/arch/webhook-processor> ." in result.stdout
    single = runner.invoke(app, ["export", "--arch", str(WEBHOOK), "--format", "turtle"])
    assert single.exit_code == 2 and "use trig, nquads or jsonld" in single.stderr
    missing = runner.invoke(app, ["export", "--arch", "no-such.yaml", "--format", "trig"])
    assert missing.exit_code == 2 and "no-such.yaml" in missing.stderr and "Traceback" not in missing.output
