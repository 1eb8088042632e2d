"""Writing the inferred architecture as YAML that `analyze` reads unchanged; same input, same bytes."""

from __future__ import annotations

from typing import Any

import yaml


_Base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when PyYAML has it: same YAML, faster


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    """Block style for mappings, flow style for short lists of words (carries, controls), no aliases
    (the loader refuses them, and a shared list would otherwise be written once and referenced)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(item, str) and len(item) < 40 for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def architecture_yaml(architecture: dict[str, Any], source: str) -> str:
    """The architecture as YAML text with a header saying where it came from."""
    header = (
        f"# Inferred by `tmkb-graph scan {source}` from the code (never imported or run).\n"
        "# Controls are claimed only where the code shows them; each component's and endpoint's\n"
        "# description says where. Review it, add what the code cannot show, and run `tmkb-graph analyze`.\n"
    )
    body = yaml.dump(architecture, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return header + body
