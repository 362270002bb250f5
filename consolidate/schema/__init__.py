"""JSON Schemas the project publishes: the playbook's, for editors (`playbook.py`, written to
`playbooks/playbook.schema.json` by `consolidate schema --write`), and those of the commands'
`--json` documents (`outputs.py`).
May import: the shared top-level modules only."""
