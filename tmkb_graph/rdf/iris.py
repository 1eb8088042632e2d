"""The one IRI scheme of tmkb-graph's RDF. Every IRI the exporter writes is made here.

    https://w3id.org/tmkb-graph/ontology#Finding                 classes and properties
    https://w3id.org/tmkb-graph/vocab/controls/authn              vocabulary words
    https://w3id.org/tmkb-graph/pattern/TMKB-AUTHZ-001            a pattern
    https://w3id.org/tmkb-graph/pattern/TMKB-AUTHZ-001/mitigation/TMKB-AUTHZ-001-M1
    https://w3id.org/tmkb-graph/arch/saas-file-processing         an architecture and its named graph
    .../arch/saas-file-processing/component/web                   its parts (component, endpoint, resource, flow)
    .../arch/saas-file-processing/finding/TMKB-AUTHZ-001:8ba00988138d   a finding, from its stable id
    http://d3fend.mitre.org/ontologies/d3fend.owl#CWE-862         a CWE weakness (D3FEND's IRI)

An architecture's slug comes from its file name (examples/saas-file-processing.yaml gives
saas-file-processing), or from its name when it was read from standard input. Every other segment
is the thing's own id, percent-encoded, so the same input always gives the same IRIs.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import quote

from rdflib import URIRef

from tmkb_graph.ontology import D3F, TMKB, VOCAB_BASE, term_iri

BASE = "https://w3id.org/tmkb-graph/"
ARCH_BASE = f"{BASE}arch/"
PATTERN_BASE = f"{BASE}pattern/"
CWE_PAGE = "https://cwe.mitre.org/data/definitions/{number}.html"
CAPEC_PAGE = "https://capec.mitre.org/data/definitions/{number}.html"

__all__ = [
    "ARCH_BASE", "BASE", "D3F", "TMKB", "VOCAB_BASE", "arch_iri", "arch_slug", "capec_iri", "cwe_iri", "owasp_iri",
    "part_iri", "segment", "pattern_iri", "mitigation_iri", "finding_iri", "term_iri", "PREFIXES",
]

PREFIXES: dict[str, str] = {
    "tmkb": str(TMKB),
    "arch": ARCH_BASE,
    "pattern": PATTERN_BASE,
    "ctl": f"{VOCAB_BASE}controls/",
    "bk": f"{VOCAB_BASE}boundary_kinds/",
    "ct": f"{VOCAB_BASE}component_types/",
    "fk": f"{VOCAB_BASE}flow_kinds/",
    "sev": f"{VOCAB_BASE}severities/",
    "status": f"{VOCAB_BASE}finding_statuses/",
    "d3f": str(D3F),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def segment(text: str) -> str:
    return quote(text, safe="-._~:")


def arch_slug(file: str, name: str) -> str:
    """The slug of an architecture: its file's stem, or its name when read from standard input."""
    stem = PurePath(file).name if file not in ("-", "<stdin>", "<string>") else name
    stem = re.sub(r"\.(ya?ml)$", "", stem, flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "architecture"


def arch_iri(slug: str) -> URIRef:
    """The IRI of an architecture, which is also the IRI of its named graph."""
    return URIRef(ARCH_BASE + segment(slug))


def part_iri(arch: URIRef, kind: str, *ids: str) -> URIRef:
    """The IRI of a part of an architecture: component, endpoint, resource, flow, boundary, finding."""
    return URIRef(f"{arch}/{kind}/" + "/".join(segment(i) for i in ids))


def finding_iri(arch: URIRef, finding_id: str) -> URIRef:
    """A finding's IRI: its architecture's, then its stable id."""
    return part_iri(arch, "finding", finding_id)


def pattern_iri(pattern_id: str) -> URIRef:
    """A pattern's IRI."""
    return URIRef(PATTERN_BASE + segment(pattern_id))


def mitigation_iri(pattern_id: str, mitigation_id: str) -> URIRef:
    """A mitigation's IRI, under its pattern."""
    return URIRef(f"{pattern_iri(pattern_id)}/mitigation/{segment(mitigation_id)}")


def cwe_iri(cwe: str) -> URIRef:
    """D3FEND's IRI for a CWE id such as CWE-862 (http, as D3FEND writes it)."""
    return D3F[cwe.upper()]


def cwe_page(cwe: str) -> URIRef:
    """The CWE page of a weakness."""
    return URIRef(CWE_PAGE.format(number=cwe.upper().removeprefix("CWE-")))


def capec_iri(capec: str) -> URIRef:
    """The CAPEC page of an attack pattern, used as its IRI."""
    return URIRef(CAPEC_PAGE.format(number=capec.upper().removeprefix("CAPEC-")))


def owasp_iri(list_name: str, risk_id: str) -> URIRef:
    """Our IRI for an OWASP Top 10 risk: owasp/api-2023/API1, owasp/top10-2021/A01."""
    return URIRef(f"{BASE}owasp/{list_name}/{segment(risk_id.split(':', 1)[0])}")


# The OWASP API Security Top 10 2023, by id: (title, page). Facts carried over from owasp.org.
OWASP_API_2023: dict[str, tuple[str, str]] = {
    f"API{n}": (title, f"https://owasp.org/API-Security/editions/2023/en/0xa{suffix}-{slug}/")
    for n, suffix, title, slug in [
        (1, "1", "Broken Object Level Authorization", "broken-object-level-authorization"),
        (2, "2", "Broken Authentication", "broken-authentication"),
        (3, "3", "Broken Object Property Level Authorization", "broken-object-property-level-authorization"),
        (4, "4", "Unrestricted Resource Consumption", "unrestricted-resource-consumption"),
        (5, "5", "Broken Function Level Authorization", "broken-function-level-authorization"),
        (6, "6", "Unrestricted Access to Sensitive Business Flows", "unrestricted-access-to-sensitive-business-flows"),
        (7, "7", "Server Side Request Forgery", "server-side-request-forgery"),
        (8, "8", "Security Misconfiguration", "security-misconfiguration"),
        (9, "9", "Improper Inventory Management", "improper-inventory-management"),
        (10, "a", "Unsafe Consumption of APIs", "unsafe-consumption-of-apis"),
    ]
}

# The OWASP Top 10 2021 titles, by id.
OWASP_TOP10_2021: dict[str, str] = {
    "A01": "Broken Access Control",
    "A02": "Cryptographic Failures",
    "A03": "Injection",
    "A04": "Insecure Design",
    "A05": "Security Misconfiguration",
    "A06": "Vulnerable and Outdated Components",
    "A07": "Identification and Authentication Failures",
    "A08": "Software and Data Integrity Failures",
    "A09": "Security Logging and Monitoring Failures",
    "A10": "Server-Side Request Forgery",
}

