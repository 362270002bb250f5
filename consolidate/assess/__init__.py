"""Should a component exist (overlap, triggers, overhead), lint, and playbook drafts.
May import: the shared top-level modules, `validate`, `analysis`, `compose`, `edits`."""
