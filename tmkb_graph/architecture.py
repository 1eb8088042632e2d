"""The architecture format, version 1: pydantic models and the loader that checks them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from tmkb_graph.bounded_input import read_text
from tmkb_graph.errors import InputError, Level, Problem
from tmkb_graph.gcpause import gc_paused
from tmkb_graph.model_base import InputModel, Name
from tmkb_graph.route_paths import PATH_PARAM, ends_in_token, is_credential, is_path_param, path_segments, token_names_object
from tmkb_graph.safe_yaml import PathKey, YamlDocument, load_yaml_text
from tmkb_graph.text import shown
from tmkb_graph.validation_errors import problems_from_validation_error
from tmkb_graph.vocabulary import load_vocabulary, suggestion_budget
from tmkb_graph.words import (
    Body,
    BoundaryKind,
    ComponentFact,
    ComponentType,
    ContextItem,
    Control,
    FlowKind,
    Grant,
    IdPlace,
    Workflow,
    IdScheme,
    Operation,
    ResourceOwner,
    Tenancy,
    ZoneKind,
)

FORMAT_VERSION = 1
ID_SHAPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_ROUTE = re.compile(r"^(?:(?P<method>[A-Za-z]+)\s+)?(?P<path>/\S*)$")
MAX_ROUTE_CHARS = 1_000
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Endpoint(_Strict):
    """One route of an API, webhook receiver or gateway, and the controls it claims."""

    route: str
    operation: Operation
    resource: Name | None = None
    controls: list[Control] | None = None
    forwards_to: Name | None = None
    # where the caller names the object when the path does not: an RPC-style route takes it in the body
    id_in: IdPlace | None = None
    # whether the body is fields bound onto the record or raw content kept as it came (a file, an event)
    body: Body | None = None
    # this route's state change when it differs from its resource's workflow (closing one's own
    # discussion is free where merging it is guarded)
    workflow: Workflow | None = None
    description: str | None = None

    @field_validator("route")
    @classmethod
    def _route_shape(cls, value: str) -> str:
        if len(value) > MAX_ROUTE_CHARS:
            raise ValueError(f"a route of {len(value):,} characters; routes are limited to {MAX_ROUTE_CHARS:,}")
        match = _ROUTE.match(value.strip())
        if match is None:
            raise ValueError(f"route '{shown(value)}' should look like 'GET /files/{{id}}' (a method, a space, a path)")
        method = match.group("method")
        if method and method.upper() not in HTTP_METHODS:
            known = ", ".join(HTTP_METHODS)
            raise ValueError(f"unknown HTTP method '{shown(method, 20)}' in route '{shown(value)}' (known: {known})")
        return value.strip()

    @property
    def method(self) -> str | None:
        """The HTTP method, upper-case, or None when the route names only a path."""
        match = _ROUTE.match(self.route)
        method = match.group("method") if match else None
        return method.upper() if method else None

    @property
    def path(self) -> str:
        """The route's path, such as /files/{id}."""
        match = _ROUTE.match(self.route)
        return match.group("path") if match else self.route

    @property
    def path_params(self) -> int:
        """How many parameters the path has ({id}, <id> or :id)."""
        return len(PATH_PARAM.findall(self.path))

    # positions of path segments named as tokens that are the route's own object's id
    # (route_paths.token_names_object on a route that signs its caller in); set by its component
    _object_tokens: frozenset[int] = PrivateAttr(default=frozenset())

    def id_positions(self) -> list[int]:
        """The positions of the path's segments that name objects: parameters that are not credentials."""
        return [i for i, seg in enumerate(path_segments(self.path)) if is_path_param(seg) and not self._credential_at(i, seg)]

    def _credential_at(self, index: int, segment: str) -> bool:
        return is_credential(segment) and index not in self._object_tokens

    @property
    def credential_params(self) -> int:
        """How many path parameters are named as a token ({webhook_token}, :token): the object's own
        credential in its URL, not the id of another object."""
        return sum(1 for param in PATH_PARAM.findall(self.path) if is_credential(param)) - len(self._object_tokens)

    @property
    def token_link(self) -> bool:
        """A token link: route_paths.ends_in_token (reached only with the token in its path)."""
        return ends_in_token(self.path, self._object_tokens)

    @property
    def id_params(self) -> int:
        """How many object ids the caller names: the path's parameters that are not credentials, and
        one more when the endpoint takes its object's id from the query or the body. A token in the
        path is the secret that grants the call (revoking a refresh token by itself, accepting an
        invitation), not the id of an object someone else may own; a token before a collection and
        an id (/s/{share_token}/files/{file_id}) names the parent the caller picks the object in."""
        tokens = self.credential_params if self.token_link else 0
        return self.path_params - tokens + (1 if self.id_in in ("query", "body") else 0)

    @property
    def path_shape(self) -> tuple[str, ...]:
        """The path's segments with every parameter written as {}: /files/{id} and /files/:file_id agree."""
        return tuple("{}" if is_path_param(seg) else seg.lower() for seg in path_segments(self.path))

    @property
    def nested_pairs(self) -> int:
        """How many 'collection/{id}' pairs the path has: /folders/{f}/files/{id} has 2, /reports/{y}/{m} has 1."""
        shape = self.path_shape
        return sum(1 for i in range(1, len(shape)) if shape[i] == "{}" and shape[i - 1] != "{}")


class Component(_Strict):
    """A deployable part of the system: an API, a queue, a worker, a store, a third party."""

    type: ComponentType
    zone: Name | None = None
    language: Name | None = None
    framework: Name | None = None
    technology: Name | None = None
    description: str | None = None
    controls: list[Control] = Field(default_factory=list)
    facts: dict[ComponentFact, bool] = Field(default_factory=dict)
    endpoints: list[Endpoint] | None = None

    @model_validator(mode="after")
    def _mark_object_tokens(self) -> Component:
        """Tell each route that signs its caller in which of its tokens name its own object
        (/v1/cards/{card_token}): there the caller's credential opens the route, so the token is an id."""
        for endpoint in self.endpoints or ():
            # authn is not component-wide, so a route's own list replaces its component's (as
            # place_controls.effective_controls reads them; importing it here would be circular)
            claimed = endpoint.controls if endpoint.controls is not None else self.controls
            if "authn" not in claimed or endpoint.resource is None:
                continue
            segments = path_segments(endpoint.path)
            named = frozenset(i for i in range(len(segments)) if token_names_object(segments, i, endpoint.resource))
            if named:
                endpoint._object_tokens = named
        return self


class Resource(_Strict):
    """A business object and the facts about it that authorization depends on."""

    owner: ResourceOwner | None = None
    # who may read any record without owning it: the tenant's members, or everyone (public content)
    readable_by: ResourceOwner | None = None
    soft_delete: bool = False
    ids: IdScheme | None = None
    parent: Name | None = None
    # whether some state changes are reserved to roles or states (guarded) or open to any editor (free)
    workflow: Workflow | None = None
    # what its records give: standing access to the tenant's data, a push of it to a chosen
    # address, or neither; undeclared, the resource's name tells (tmkb_graph.grants)
    grants: Grant | None = None
    description: str | None = None


def route_workflow(endpoint: Endpoint, resource: Resource | None) -> str | None:
    """The workflow a route's state change follows: its own when it declares one, else its resource's."""
    if endpoint.workflow is not None:
        return endpoint.workflow
    return None if resource is None else resource.workflow


def effective_owner(resource: Resource, operation: str, tenancy: str) -> str | None:
    """Whose record an operation touches, as far as authorization goes.

    A read or list of a resource declared ``readable_by`` tenant or shared meets that wider owner;
    in a single-tenant system a tenant-owned record belongs to everyone there, so it is shared.
    """
    owner = resource.owner
    if operation in READ_OPERATIONS and resource.readable_by is not None and owner is not None:
        owner = _wider(owner, resource.readable_by)
    if owner == "tenant" and tenancy == "single":
        return "shared"
    return owner


READ_OPERATIONS = frozenset({"read", "list"})
_BREADTH = {"user": 0, "tenant": 1, "shared": 2}


def _wider(a: str, b: str) -> str:
    return a if _BREADTH.get(a, 0) >= _BREADTH.get(b, 0) else b


class Flow(_Strict):
    """A directed flow between two components, what it carries and the controls it claims."""

    source: Name = Field(alias="from")
    target: Name = Field(alias="to")
    kind: FlowKind
    carries: list[ContextItem] = Field(default_factory=list)
    controls: list[Control] = Field(default_factory=list)
    topic: Name | None = None
    # the receiver's route a webhook, callback, redirect or request reaches, when it has several
    route: str | None = Field(default=None, max_length=MAX_ROUTE_CHARS)
    description: str | None = None


TOPIC_KINDS = ("publish", "subscribe", "enqueue", "deliver", "invoke")
ROUTE_KINDS = ("request", "webhook", "callback", "redirect")
TOPIC_KINDS_TEXT = ", ".join(TOPIC_KINDS[:-1]) + " or " + TOPIC_KINDS[-1]
ROUTE_KINDS_TEXT = ", ".join(ROUTE_KINDS[:-1]) + " or " + ROUTE_KINDS[-1]


def flow_endpoint(target: Component, route: str) -> int | None:
    """The index of the target's endpoint a flow's ``route`` names (method compared in any case), or None."""
    wanted = _ROUTE.match(route.strip())
    if wanted is None:
        return None
    method, path = (wanted.group("method") or "").upper() or None, wanted.group("path")
    for index, endpoint in enumerate(target.endpoints or ()):
        if endpoint.path == path and endpoint.method == method:
            return index
    return None


class Boundary(_Strict):
    """A boundary the author declares, around a set of components."""

    name: Name
    kind: BoundaryKind
    contains: list[Name]


class Acceptance(_Strict):
    """A risk knowingly accepted: a pattern on a component (or one finding), with a reason and expiry."""

    pattern: Name
    component: Name | None = None
    finding: Name | None = None
    reason: str = Field(min_length=1, pattern=r"\S")
    expires: dt.date | None = None

    @field_validator("expires", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"expires must be a date written YYYY-MM-DD, got '{shown(value)}'") from None
        if value is not None and not isinstance(value, dt.date):
            raise ValueError("expires must be a date written YYYY-MM-DD")
        return value


class Architecture(_Strict):
    """A described system: components, the flows between them, its resources and accepted risks."""

    version: int = FORMAT_VERSION
    name: Name = Field(min_length=1)
    description: str | None = None
    tenancy: Tenancy = "single"
    zones: dict[Name, ZoneKind] = Field(default_factory=dict)
    components: dict[str, Component]
    resources: dict[str, Resource] = Field(default_factory=dict)
    flows: list[Flow] = Field(default_factory=list)
    boundaries: list[Boundary] = Field(default_factory=list)
    accepted: list[Acceptance] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _supported_version(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise ValueError(f"unsupported format version {value}; this tmkb-graph reads version {FORMAT_VERSION}")
        return value

    @field_validator("components")
    @classmethod
    def _some_components(cls, value: dict[str, Component]) -> dict[str, Component]:
        if not value:
            raise ValueError("an architecture needs at least one component")
        return value


class LoadedArchitecture(BaseModel):
    """An architecture with the file it came from, the line of every value, and its warnings."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    model: Architecture
    document: YamlDocument
    warnings: list[Problem] = Field(default_factory=list)

    @property
    def file(self) -> str:
        """The path the architecture was read from."""
        return self.document.file

    def line_of(self, path: PathKey) -> int | None:
        """The line in the file where the value at ``path`` is written."""
        return self.document.line_of(path)

    def flow_problem(self, index: int, message: str, level: Level) -> Problem:
        """A problem (a note or warning) about the flow at ``index``, at its line and field path."""
        return Problem(self.file, self.line_of(("flows", index)), f"flows[{index}]", message, level)

    def zone_kind(self, component_id: str) -> str:
        """The zone kind of a component: its zone mapped through ``zones``, or its type's default."""
        component = self.model.components[component_id]
        if component.zone is None:
            return str(load_vocabulary().fact("component_types", component.type, "default_zone"))
        return self.model.zones.get(component.zone, component.zone)


def load_architecture(path: Path | str) -> LoadedArchitecture:
    """Read and check an architecture file; raise InputError listing every problem found."""
    with gc_paused():
        file, text = read_text(path)
        return _from_text(text, file)


def _from_text(text: str, file: str) -> LoadedArchitecture:
    """The checked architecture, parsed first keeping only the lines a checked architecture keeps.

    Most files have no problem and no warning, so the line of every value (several hundred MB for
    an 80,000-component file) is never needed. A file with a problem or a warning is parsed again
    with every line, so each message points at the line it always did.
    """
    try:
        loaded = _from_document(load_yaml_text(text, file, keep_lines_in=_kept_places_in), lines_kept=True)
    except InputError:
        loaded = None
    if loaded is None or loaded.warnings:
        return _from_document(load_yaml_text(text, file))
    return loaded


def parse_architecture(text: str, file: str = "<string>") -> LoadedArchitecture:
    """Check an architecture given as YAML text (the MCP server and tests use this)."""
    return _from_document(load_yaml_text(text, file))


def check_architecture_document(doc: YamlDocument) -> LoadedArchitecture:
    """Check an architecture already parsed (validate reads a file once, then decides what it holds)."""
    return _from_document(doc)


def _from_document(doc: YamlDocument, lines_kept: bool = False) -> LoadedArchitecture:
    with suggestion_budget():
        return _checked(doc, lines_kept)


def _checked(doc: YamlDocument, lines_kept: bool = False) -> LoadedArchitecture:
    """The checked architecture of ``doc`` (``lines_kept``: its lines are already only _places_lines')."""
    if doc.data is None:
        raise InputError([doc.problem((), "the file is empty; an architecture needs a name and components")])
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "an architecture is a mapping with name, components and flows at the top")])
    try:
        model = Architecture.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, doc, Architecture)) from None
    from tmkb_graph.architecture_references import cross_reference  # it checks this module's models

    errors, warnings = cross_reference(model, doc)
    if errors:
        raise InputError(sorted(errors))
    # the model holds the data now: the architecture keeps the lines it points at, not the data again
    located = YamlDocument(doc.file, None, doc.lines if lines_kept else _places_lines(doc.lines))
    return LoadedArchitecture(model=model, document=located, warnings=sorted(warnings))


def _places_lines(lines: dict[PathKey, int]) -> dict[PathKey, int]:
    """The lines of the places findings and warnings point at once the file is checked.

    Every top-level value and each component, endpoint, flow, zone, resource and acceptance with all
    that is under it: the errors that name a field are made before this. A deeper path asked for later
    gets the line of its nearest kept ancestor (``line_of``). For an 80,000-component architecture
    this keeps one line in six (about 300 MB less).
    """
    return {path: line for path, line in lines.items() if _kept_place(path)}


def _kept_place(path: PathKey) -> bool:
    """Whether _places_lines keeps the line of ``path``."""
    return len(path) <= 2 or path[0] == "accepted" or (len(path) == 4 and path[2] == "endpoints")


def _kept_places_in(path: PathKey) -> bool:
    """Whether _places_lines keeps the lines of the values directly in the collection at ``path``
    (``_kept_place`` of each child's path, decided once per collection)."""
    return len(path) <= 1 or path[0] == "accepted" or (len(path) == 3 and path[2] == "endpoints")
