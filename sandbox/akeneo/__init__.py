"""A local server that behaves like Akeneo PIM's REST API (in-memory, seeded, with fault switches)."""
