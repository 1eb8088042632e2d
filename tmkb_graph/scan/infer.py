"""The inferred architecture (version 1) and, beside it, where each of its places is in the code.

Components: one API per web framework, one webhook receiver per webhook route (and its provider),
one queue and one worker per task, a scheduler when a beat schedule starts tasks, one database when
ORM models are used. Flows: webhook deliveries, enqueue calls (carrying what their arguments say),
deliveries to workers, and reads and writes of the database.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tmkb_graph.route_paths import path_segments
from tmkb_graph.scan.carries import CONTEXT_ORDER, carried
from tmkb_graph.scan.claims import Claims, endpoint_claims, receiver_claims, store_claims, worker_claims
from tmkb_graph.scan.controls import Signals, store_isolation_signals
from tmkb_graph.scan.facts import Function
from tmkb_graph.vocabulary import load_vocabulary
from tmkb_graph.scan.model import Enqueue, Evidence, Route, Site, Task
from tmkb_graph.scan.names import TENANT_NAMES
from tmkb_graph.scan.project import Project
from tmkb_graph.scan.resources import ModelClass, model_used, writes
from tmkb_graph.scan.webhooks import is_webhook, provider_of

API_IDS = {"flask": "web", "fastapi": "api", "django": "django_app"}
_ZONES = {"api": "internet", "webhook_receiver": "internet", "external_service": "third_party"}
MAX_ROUTE = 900  # the format takes routes up to 1,000 characters, method included
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class Inferred:
    """The architecture as a plain dict, and per place label its code site and claimed controls' evidence."""

    architecture: dict[str, Any]
    sites: dict[str, Site] = field(default_factory=dict)
    claims: dict[str, Claims] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Flow:
    source: str
    target: str
    kind: str
    site: Site
    carries: list[str] | None = None


class _Builder:
    """Builds the architecture dict and its side map, one kind of place at a time."""

    def __init__(self, project: Project, signals: Signals, models: dict[str, ModelClass], name: str) -> None:
        self.project, self.signals, self.models = project, signals, models
        self.components: dict[str, dict[str, Any]] = {}
        self.flows: dict[tuple[str, str, str], _Flow] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.out = Inferred(architecture={"version": 1, "name": name})
        self.owners: dict[int, set[str]] = {}
        self.store_users: list[tuple[str, list[Function], Site]] = []
        self.reserved = set(API_IDS.values()) | {"database", "scheduler"}

    # components -------------------------------------------------------------------------------
    def component(self, cid: str, spec: dict[str, Any], site: Site, claims: Claims | None = None) -> None:
        spec.setdefault("zone", _ZONES.get(spec["type"], "internal"))
        if claims:
            spec["controls"] = sorted(claims)
            spec["description"] = _evidence_text(claims)
            self.out.claims[f"component {cid}"] = claims
        self.components[cid] = spec
        self.out.sites.setdefault(cid, site)
        self.out.sites.setdefault(f"component {cid}", site)

    def own(self, fn: Function, cid: str) -> list[Function]:
        reached = self.project.reach(fn)
        for f in reached:
            self.owners.setdefault(id(f), set()).add(cid)
        return reached

    def flow(self, source: str, target: str, kind: str, site: Site, carries: list[str] | None = None) -> None:
        """Add a flow, or merge into the same one: it carries only what every call carries, and
        points at the call that carries least."""
        key = (source, target, kind)
        existing = self.flows.get(key)
        if existing is None:
            self.flows[key] = _Flow(source, target, kind, site, carries)
        elif carries is not None and existing.carries is not None:
            if len(carries) < len(existing.carries):
                existing.site = site
            existing.carries = [c for c in existing.carries if c in carries]

    # routes -----------------------------------------------------------------------------------
    def routes(self, routes: list[Route]) -> None:
        endpoints: dict[str, list[dict[str, Any]]] = {}
        seen: set[tuple[str, str]] = set()
        for route in sorted(routes, key=lambda r: (r.site, r.path)):
            if len(route.path) > MAX_ROUTE:
                self.out.notes.append(f"{route.site}: a route of {len(route.path):,} characters; left out")
                continue
            chain = self.project.reach(route.handler)
            signals = self.signals.reached(route.handler) + route.evidence
            if is_webhook(route, signals):
                self.receiver(route, signals)
                continue
            cid = API_IDS[route.framework]
            self.own(route.handler, cid)
            if cid not in self.components:
                self.component(cid, {"type": "api", "language": "python", "framework": route.framework}, route.site)
            self.store_users.append((cid, chain, route.site))
            for method in route.methods:
                label = f"{method} {route.path}"
                if (cid, label) in seen:
                    self.out.notes.append(f"{route.site}: route {label} is declared twice; the first one is used")
                    continue
                seen.add((cid, label))
                endpoints.setdefault(cid, []).append(self.endpoint(cid, route, method, chain, signals))
        for cid, found in endpoints.items():
            self.components[cid]["endpoints"] = found
            if load_vocabulary().framework_fact(self.components[cid]["framework"], "field_binding") is None:
                # code rarely shows a fixed schema for every write (a serializer over "__all__",
                # a model built from the request's dict): the API is taken to bind bodies field by
                # field, as the riskier reading, and the generated architecture says so where a
                # reviewer can correct it; a route whose allowlist is found claims it
                self.components[cid]["facts"] = {"field_binding": True}

    def endpoint(self, cid: str, route: Route, method: str, chain: list[Function], signals: list[Evidence]) -> dict[str, Any]:
        label = f"{cid} {method} {route.path}"
        claims = endpoint_claims(signals)
        spec: dict[str, Any] = {"route": f"{method} {route.path}", "operation": _operation(method, route.path)}
        model = model_used(chain, self.models)
        if model is not None:
            spec["resource"] = model.name
            self.resources[model.name] = _resource(model)
        spec["controls"] = sorted(claims)
        if claims:
            spec["description"] = _evidence_text(claims)
        self.out.sites[label] = route.site
        self.out.sites[f"endpoint {label}"] = route.site
        self.out.claims[f"endpoint {label}"] = claims
        return spec

    def receiver(self, route: Route, signals: list[Evidence]) -> None:
        provider = provider_of(route)
        cid = self.unique(f"{provider}_webhook" if provider != "webhook_sender" else f"{_safe(route.handler.name)}")
        self.own(route.handler, cid)
        self.store_users.append((cid, self.project.reach(route.handler), route.site))
        method = "POST" if "POST" in route.methods else route.methods[0]
        spec = {"type": "webhook_receiver", "language": "python", "framework": route.framework,
                "endpoints": [{"route": f"{method} {route.path}", "operation": "create"}]}
        self.component(cid, spec, route.site, receiver_claims(signals))
        if provider in self.reserved or self.components.get(provider, {}).get("type", "external_service") != "external_service":
            provider = f"{provider}_sender"
        if provider not in self.components:
            self.component(provider, {"type": "external_service"}, route.site)
        carries = ["payload", "signature"] if any(e.signal == "signature_header" for e in signals) else ["payload"]
        self.flow(provider, cid, "webhook", route.site, carries)

    def unique(self, cid: str) -> str:
        """``cid``, or ``cid_2``, ``cid_3``... when a component (or a reserved id) has it already."""
        candidate, n = cid, 2
        while candidate in self.components or candidate in self.reserved:
            candidate, n = f"{cid}_{n}", n + 1
        return candidate

    # tasks ------------------------------------------------------------------------------------
    def tasks(self, tasks: dict[str, Task], multi: bool) -> dict[str, str]:
        names: dict[str, str] = {}
        plain = Counter(t.function.name for t in tasks.values())
        for key in sorted(tasks):
            task = tasks[key]
            worker = self.unique(_safe(task.function.name if plain[task.function.name] == 1 else task.key))
            while f"{worker}_queue" in self.components:
                worker = self.unique(f"{worker}_task")
            names[key] = worker
            queue = f"{worker}_queue"
            self.own(task.function, worker)
            self.store_users.append((worker, self.project.reach(task.function), task.site))
            claims = worker_claims(self.signals.reached(task.function), multi)
            self.component(queue, {"type": "queue", "technology": task.technology}, task.site)
            attributes: dict[str, object] = {"type": "worker", "language": "python", "framework": task.technology}
            if task.scheduled and multi:
                # code does not show whether a sweep's work depends on whose each record is (a
                # digest per tenant, or a purge by one fixed age); a scheduled task in a
                # multi-tenant app is taken to build tenants' results, as the riskier reading, and
                # the generated architecture says so where a reviewer can correct it
                attributes["facts"] = {"tenant_results": True}
            self.component(worker, attributes, task.site, claims)
            if task.scheduled:
                if "scheduler" not in self.components:
                    self.component("scheduler", {"type": "scheduler", "technology": "celery-beat"}, task.site)
                self.flow("scheduler", queue, "enqueue", task.site, [])
        return names

    def enqueues(self, found: list[tuple[Enqueue, Task]], workers: dict[str, str]) -> None:
        for call, task in sorted(found, key=lambda pair: pair[0].site):
            worker = workers[task.key]
            producers = sorted(self.owners.get(id(call.caller), set()) - {worker, f"{worker}_queue"})
            if not producers:
                self.out.notes.append(f"{call.site}: enqueues {task.function.name} from code no route or task reaches; left out")
            for producer in producers:
                self.flow(producer, f"{worker}_queue", "enqueue", call.site, carried(call, task))
        feeding_by_queue: dict[str, list[list[str]]] = {}
        for f in self.flows.values():
            feeding_by_queue.setdefault(f.target, []).append(f.carries or [])
        for worker in workers.values():
            queue = f"{worker}_queue"
            feeding = feeding_by_queue.get(queue, [])
            common = [item for item in CONTEXT_ORDER if feeding and all(item in c for c in feeding)]
            self.flow(queue, worker, "deliver", self.out.sites[worker], common)

    # store ------------------------------------------------------------------------------------
    def store(self) -> None:
        if not self.models:
            return
        first = min(m.site for m in self.models.values())
        self.component("database", {"type": "database"}, first, store_claims(store_isolation_signals(self.project)))
        for cid, chain, site in self.store_users:
            if model_used(chain, self.models) is None:
                continue
            self.flow(cid, "database", "read", site)
            if writes(chain):
                self.flow(cid, "database", "write", site)

    def finish(self, multi: bool) -> Inferred:
        arch = self.out.architecture
        arch["tenancy"] = "multi" if multi else "single"
        arch["components"] = {cid: self.components[cid] for cid in sorted(self.components)}
        if self.resources:
            arch["resources"] = {name: self.resources[name] for name in sorted(self.resources)}
        flows = []
        for key in sorted(self.flows):
            f = self.flows[key]
            spec: dict[str, Any] = {"from": f.source, "to": f.target, "kind": f.kind}
            if f.carries:
                spec["carries"] = list(f.carries)
            flows.append(spec)
            self.out.sites[f"flow {f.source} -> {f.target} ({f.kind})"] = f.site
        arch["flows"] = flows
        return self.out


def infer_architecture(
    project: Project,
    routes: list[Route],
    tasks: dict[str, Task],
    enqueues: list[tuple[Enqueue, Task]],
    models: dict[str, ModelClass],
    name: str,
    signals: Signals,
) -> Inferred:
    """Build the architecture dict and its side map from what the detectors found."""
    multi = _multi_tenant(tasks, models, signals, routes)
    builder = _Builder(project, signals, models, name)
    builder.routes(routes)
    workers = builder.tasks(tasks, multi)
    builder.enqueues(enqueues, workers)
    builder.store()
    return builder.finish(multi)


def _multi_tenant(tasks: dict[str, Task], models: dict[str, ModelClass], signals: Signals, routes: list[Route]) -> bool:
    """Multi-tenant when a model has a tenant field, a task takes a tenant id, or a route filters by tenant."""
    if any(m.owner == "tenant" for m in models.values()):
        return True
    if any(p in TENANT_NAMES for t in tasks.values() for p in t.params):
        return True
    return any(e.signal.startswith("tenant_") for r in routes for e in signals.reached(r.handler))


def _operation(method: str, path: str) -> str:
    segments = path_segments(path)
    has_param = any(s.startswith("{") for s in segments)
    last = segments[-1] if segments else ""
    if last.lower() in ("bulk", "batch", "bulk-delete", "bulk_delete"):
        return "bulk"
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read" if has_param else "list"
    if method in ("PUT", "PATCH"):
        return "update"
    if method == "DELETE":
        return "delete"
    if has_param and not last.startswith("{"):
        return "action"
    return "update" if has_param else "create"


def _resource(model: ModelClass) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if model.owner:
        spec["owner"] = model.owner
    spec["ids"] = "random" if model.random_ids else "sequential"
    if model.soft_delete:
        spec["soft_delete"] = True
    return spec


def _evidence_text(claims: Claims) -> str:
    """One line per claimed control: the first piece of evidence, with its file and line."""
    return "; ".join(f"{control}: {found[0].site} {found[0].note}" for control, found in sorted(claims.items()))


def _safe(name: str) -> str:
    """A component id from a name: letters, digits, _ . - only, starting with a letter or _, at most 120 characters."""
    cleaned = _ID_UNSAFE.sub("_", name)[:120]
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else f"_{cleaned}"
