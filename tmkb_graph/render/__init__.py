"""Renderers: each turns an AnalysisResult (or patterns) into text, and reads nothing else."""

from tmkb_graph.render.json_out import analysis_json, pattern_json, patterns_json, write_analysis_json
from tmkb_graph.render.markdown import analysis_markdown
from tmkb_graph.render.table import analysis_table, pattern_text, patterns_table

__all__ = ["write_analysis_json", "analysis_json", "analysis_markdown", "analysis_table", "pattern_json", "pattern_text", "patterns_json", "patterns_table"]
