"""Code scanning: infer a version-1 architecture from Python source, then analyse it like `analyze`.

The source is parsed with :mod:`ast` and never imported or run. ``scan_directory`` is the entry
point; ``evaluate`` compares two folders of generated apps.
"""

from tmkb_graph.scan.report import ScanResult, scan_directory

__all__ = ["ScanResult", "scan_directory"]
