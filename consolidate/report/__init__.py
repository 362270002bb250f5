"""What people read: the removal report and the investigation and assess renderers.
May import: the shared top-level modules and every other part package."""
