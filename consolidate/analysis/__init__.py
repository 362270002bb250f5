"""The investigation: scan the repository once, find imports and entry points, build the graph,
judge files and find mentions. May import: the shared top-level modules, `compose`, `edits`."""
