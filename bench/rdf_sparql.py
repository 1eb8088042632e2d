#!/usr/bin/env python3
"""Benchmark the RDF layer on many generated architectures (a script, not a test).

It writes --archs architectures of --components components each (bench/benchmark.py's generator,
one seed per architecture), then times, in one run:

  build     load, analyse and turn into RDF every architecture (tmkb_graph.rdf.dataset.build_graphs)
  export    N-Quads of the whole dataset (tmkb_graph.rdf.export.serialize)
  load      the same quads into a pyoxigraph Store, and into an rdflib Dataset
  queries   three named queries on pyoxigraph and on rdflib's own engine, side by side (the ratio
            rdflib / pyoxigraph is the figure); rows are compared, so both engines must agree
  server    publish to an Oxigraph server (`oxigraph serve`, started here on a free loopback port)
            through the Graph Store Protocol, then the same three queries over HTTP

Usage:
  nice python3 bench/rdf_sparql.py [--archs 1000] [--components 12] [--no-export] [--no-rdflib] [--no-server]
                                   [--rdflib-limit SECONDS]

rdflib's engine cannot be interrupted, so each rdflib query runs in a forked child that is stopped
after --rdflib-limit seconds; a stopped query prints "> LIMIT" and its ratio is a lower bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from benchmark import generate, write_yaml  # noqa: E402

from tmkb_graph.rdf.dataset import build_graphs, to_oxigraph, to_rdflib  # noqa: E402
from tmkb_graph.rdf.export import serialize  # noqa: E402
from tmkb_graph.rdf.publish import publish  # noqa: E402
from tmkb_graph.rdf.query import named_query_text, run_on_endpoint  # noqa: E402
from tmkb_graph.rdf.safety import check_query  # noqa: E402

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("open-findings-by-severity", {}),
    ("findings-by-cwe", {"cwe": "CWE-862", "status": "open"}),
    ("crossings-by-architecture", {}),
]
TODAY = dt.date(2026, 11, 24)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def bound_text(name: str, params: dict[str, str]) -> str:
    """The named query with its parameters joined as a VALUES block (as run_sparql does)."""
    from tmkb_graph.rdf.query import _bind, _named_queries, with_values

    text = named_query_text(name)
    checked = check_query(text, lambda iri: True)
    return with_values(text, checked, _bind(params, _named_queries()[name].params, checked))


def oxigraph_rows(store: Any, text: str) -> list[tuple[str | None, ...]]:
    answer = store.query(text)
    names = [v.value for v in answer.variables]
    return [tuple(None if s[n] is None else s[n].value for n in names) for s in answer]


def rdflib_rows(dataset: Any, text: str) -> list[tuple[str | None, ...]]:
    return [tuple(None if v is None else str(v) for v in row) for row in dataset.query(text)]


def rdflib_rows_limited(dataset: Any, text: str, limit: float) -> tuple[float, list[tuple[str | None, ...]] | None]:
    """rdflib's answer and time, or (limit, None) when it ran past ``limit`` seconds and was stopped."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=lambda: sender.send(timed(lambda: rdflib_rows(dataset, text))), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(limit):
            return limit, None
        return receiver.recv()  # type: ignore[no-any-return]
    finally:
        if child.is_alive():
            child.kill()
        child.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).close()
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("oxigraph did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", type=int, default=1000)
    parser.add_argument("--components", type=int, default=12)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--rdflib-limit", type=float, default=600.0)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="tmkb-rdf-bench-"))
    try:
        files = []
        for i in range(args.archs):
            path = work / f"arch-{i:04d}.yaml"
            write_yaml(generate(args.components, seed=i + 1), path)
            files.append(path)
        seconds, graphs = timed(lambda: build_graphs(files, today=TODAY))
        quads = sum(len(g.triples) for g in graphs)
        print(f"{args.archs:,} architectures of {args.components} components: {quads:,} quads in {len(graphs):,} graphs")
        print(f"build (load + analyse + RDF)      {seconds:8.2f} s", flush=True)
        if not args.no_export:
            seconds, text = timed(lambda: serialize(graphs, "nquads"))
            print(f"export N-Quads (rdflib)           {seconds:8.2f} s   {len(text.encode()) / 1e6:,.0f} MB")
            del text
        seconds, store = timed(lambda: to_oxigraph(graphs))
        print(f"load into pyoxigraph              {seconds:8.2f} s")
        dataset = None
        if not args.no_rdflib:
            seconds, dataset = timed(lambda: to_rdflib(graphs))
            print(f"load into rdflib Dataset          {seconds:8.2f} s")
        print()
        print(f"{'query':32} {'rows':>6} {'pyoxigraph s':>13} {'rdflib s':>10} {'ratio':>8}")
        for name, params in QUERIES:
            text = bound_text(name, params)
            ox_s, ox_rows = timed(lambda: oxigraph_rows(store, text))
            line = f"{name:32} {len(ox_rows):6,} {ox_s:13.3f}"
            if dataset is not None:
                rl_s, rl_rows = rdflib_rows_limited(dataset, text, args.rdflib_limit)
                if rl_rows is None:
                    line += f" {'> ' + format(rl_s, '.0f'):>10} {'> ' + format(rl_s / ox_s, '.0f'):>7}x  (stopped)"
                else:
                    agree = sorted(map(str, rl_rows)) == sorted(map(str, ox_rows))
                    line += f" {rl_s:10.2f} {rl_s / ox_s:7.0f}x" + ("" if agree else "  (rows differ!)")
            print(line, flush=True)
        if not args.no_server:
            server, base = start_server(work / "oxigraph")
            try:
                seconds, report = timed(lambda: publish(f"{base}/store", graphs))
                status = "ok" if report.ok else f"FAILED at {report.failed}: {report.error}"
                print(f"\npublish {len(graphs):,} graphs to oxigraph   {seconds:8.2f} s   {status}")
                for name, params in QUERIES:
                    seconds, result = timed(lambda: run_on_endpoint(f"{base}/query", name=name, params=params, timeout_s=600, max_rows=10**7))
                    print(f"  server {name:30} {len(result.rows):6,} rows {seconds:8.3f} s")
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
