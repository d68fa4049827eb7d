"""Category trees in parent-before-child order, so a target can create them by replaying the list."""
from __future__ import annotations

from collections.abc import Iterable


def tree_order(categories: Iterable[dict], root: str | None = None) -> list[dict]:
    """Every category after its parent: roots first, then depth-first; siblings by `position`
    (Akeneo 7's `with_position`) then code. With `root`, only that tree. A category whose parent
    is missing from the listing is treated as a root rather than dropped."""
    by_code = {c["code"]: c for c in categories if c.get("code")}
    children: dict[str | None, list[dict]] = {}
    for category in by_code.values():
        parent = category.get("parent")
        children.setdefault(parent if parent in by_code else None, []).append(category)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.get("position") if isinstance(c.get("position"), int) else 0, c["code"]))
    starts = [by_code[root]] if root is not None and root in by_code else \
        ([] if root is not None else children.get(None, []))
    ordered: list[dict] = []
    stack = list(reversed(starts))
    while stack:
        category = stack.pop()
        ordered.append(category)
        stack.extend(reversed(children.get(category["code"], [])))
    return ordered


def normalise_values(category: dict) -> dict:
    """Akeneo (PHP) may encode an empty `values` map as `[]`: give callers a dict either way."""
    if "values" in category and not category["values"]:
        category["values"] = {}
    return category
