"""SPARQL results as a text table or as SPARQL 1.1 CSV."""

from __future__ import annotations

import csv
import io

from tmkb_graph.rdf.query import SparqlResult
from tmkb_graph.text import shown

MAX_CELL = 80


def result_table(result: SparqlResult) -> str:
    """Columns padded to their widest cell (cut at MAX_CELL, control characters escaped), then a count."""
    if result.kind == "ask":
        return ("yes" if result.boolean else "no") + "\n"
    header = list(result.variables)
    cells = [[shown(row.get(name) or "", MAX_CELL) for name in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(cells):,} row{'s' if len(cells) != 1 else ''}{', cut' if result.truncated else ''})")
    return "\n".join(lines) + "\n"


def result_csv(result: SparqlResult) -> str:
    """SPARQL 1.1 Query Results CSV: a header of variable names, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([row.get(name) or "" for name in result.variables])
    return out.getvalue()
