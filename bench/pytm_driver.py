"""Build an OWASP pytm threat model from a JSON description and run check() + resolve() on it.

Run by bench/compare_pytm.py inside bench/.venv-pytm (pytm is not a dependency of tmkb-graph):

    bench/.venv-pytm/bin/python bench/pytm_driver.py MODEL.pytm.json

The description is the same generated architecture that tmkb-graph analyses (see compare_pytm.py,
`pytm_description`): one pytm element per component, one Dataflow per flow, one Boundary per zone.
It is read as JSON rather than written out as a 200,000-line Python script so that the timing is
pytm's work, not CPython compiling a giant module. Prints one JSON line with the phase times and the
number of findings.
"""

from __future__ import annotations

import json
import sys
import time

T0 = time.perf_counter()

import pytm  # noqa: E402
from pytm import (  # noqa: E402
    TM,
    Boundary,
    Classification,
    Data,
    Dataflow,
    Datastore,
    ExternalEntity,
    Lambda,
    Process,
    Server,
)

KINDS = {
    "server": Server,
    "process": Process,
    "datastore": Datastore,
    "external": ExternalEntity,
    "lambda": Lambda,
}


def build(model: dict) -> TM:
    tm = TM(model["name"], description=model["description"])
    tm.isOrdered = False
    boundaries = {name: Boundary(name) for name in model["boundaries"]}
    data = {
        name: Data(name, description=f"{name} carried between components",
                   classification=Classification[spec["classification"]], isPII=spec["pii"],
                   isCredentials=spec["credentials"])
        for name, spec in model["data"].items()
    }
    elements = {}
    for cid, spec in model["elements"].items():
        element = KINDS[spec["kind"]](cid, **spec.get("attrs", {}))
        if spec.get("boundary"):
            element.inBoundary = boundaries[spec["boundary"]]
        for control in spec.get("controls", ()):
            setattr(element.controls, control, True)
        elements[cid] = element
    for flow in model["flows"]:
        df = Dataflow(elements[flow["from"]], elements[flow["to"]], flow["name"], protocol=flow["protocol"],
                      **flow.get("attrs", {}))
        if flow["data"]:
            df.data = [data[d] for d in flow["data"]]
        for control in flow.get("controls", ()):
            setattr(df.controls, control, True)
    return tm


def main(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        model = json.load(fh)
    t_import = time.perf_counter()
    tm = build(model)
    del model
    t_build = time.perf_counter()
    tm.check()
    t_check = time.perf_counter()
    tm.resolve()
    t_resolve = time.perf_counter()
    print(json.dumps({
        "pytm": getattr(pytm, "__version__", None),
        "import_s": t_import - T0,
        "build_s": t_build - t_import,
        "check_s": t_check - t_build,
        "resolve_s": t_resolve - t_check,
        "findings": len(tm.findings),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
