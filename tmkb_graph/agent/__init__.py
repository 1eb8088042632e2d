"""The agent interface: the context query, rule files, hooks, the MCP server and the Python API."""
