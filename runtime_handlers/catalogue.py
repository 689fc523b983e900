"""Read-only item catalogue shipped inside the deployment zip.

Loaded once per execution environment (cold start) from ``catalogue.json``
next to this module; warm invocations reuse it. The file is validated at
load so a broken data file fails the cold start loudly instead of serving
half a catalogue.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

REQUIRED_KEYS = frozenset({"id", "name", "price", "currency", "tags"})


def load(text: str) -> tuple[dict[str, Any], ...]:
    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError("catalogue must be a JSON list")
    seen: set[str] = set()
    for item in items:
        missing = REQUIRED_KEYS - set(item)
        if missing:
            raise ValueError(f"catalogue item missing {sorted(missing)}: {item!r}")
        # Prices are strings like "12.50" so no float ever touches money.
        if not isinstance(item["price"], str):
            raise ValueError(f"catalogue price must be a string: {item['id']!r}")
        if item["id"] in seen:
            raise ValueError(f"duplicate catalogue id {item['id']!r}")
        seen.add(item["id"])
    return tuple(items)


ITEMS = load(resources.files(__package__).joinpath("catalogue.json").read_text("utf-8"))
BY_ID = {item["id"]: item for item in ITEMS}
