"""State for every collection the spec's paths describe (see ``collections.py``).

Objects are plain JSON dicts shaped by the collection's item schema: a create samples that
schema, lays the request's fitting fields over it and stamps a fresh id, ``created_at`` and
``updated_at``; updates lay fields over the stored object. Items of a nested collection are
kept per parent id, and a parent that is itself a stored collection item must exist. A
collection is seeded with a few objects the first time it is touched, deterministically, so
resets stay cheap for the many collections a test never reads.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from .catalog_data import schema_defs, with_defs
from .collections import Collection
from .generic import sampler, top_properties
from .replies import not_found

if TYPE_CHECKING:  # jsonschema is slow to import: loaded when a value needs checking
    from jsonschema import Draft202012Validator

SEEDED_ITEMS = 3
FIRST_ID = 100_000
_STAMPS = ("created_at", "updated_at")

Bucket = tuple[str, tuple[str, ...]]


@cache
def _validator(schema_json: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(with_defs(json.loads(schema_json)))


def fits(schema: Any, value: Any) -> bool:
    """Whether ``value`` is valid for a (catalog) property schema."""
    return bool(_validator(json.dumps(schema, sort_keys=True)).is_valid(value))


@cache
def _sample(schema_json: str) -> Any:
    return sampler().sample(json.loads(schema_json))


def sample_of(schema: Any) -> Any:
    """A fresh copy of the deterministic sample of ``schema``."""
    return copy.deepcopy(_sample(json.dumps(schema, sort_keys=True)))


def _id_kind(schema: Any) -> str:
    prop = top_properties(schema).get("id") or {}
    resolved = prop
    ref = prop.get("$ref") if isinstance(prop, dict) else None
    if isinstance(ref, str):
        resolved = schema_defs().get(ref.rsplit("/", 1)[-1], {})
    kind = resolved.get("type") if isinstance(resolved, dict) else None
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
        return "integer"
    return "string"


@dataclass
class CollectionStore:
    """Every generic collection's objects, keyed by collection path and parent ids."""

    now: Any  # () -> int, the sandbox clock
    next_id: int = FIRST_ID
    buckets: dict[Bucket, dict[str, dict[str, Any]]] = field(default_factory=dict)
    version: int = 0

    def fresh_id(self, schema: Any) -> str | int:
        self.next_id += 1
        return self.next_id if _id_kind(schema) == "integer" else str(self.next_id)

    def items(self, collection: Collection, parents: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        key = (collection.path, parents)
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = {}
            if "list" in collection.ops or "search" in collection.ops:
                for _ in range(SEEDED_ITEMS):
                    self.add(bucket, self.build(collection, {}))
        return bucket

    def build(self, collection: Collection, data: dict[str, Any]) -> dict[str, Any]:
        """A new object of the collection, filled from ``data`` where the schema allows."""
        schema = collection.item_schema
        obj = sample_of(schema)
        if not isinstance(obj, dict):
            obj = {}
        self.overlay(collection, obj, data)
        wanted = data.get("id")
        obj["id"] = wanted if wanted is not None and _fits_id(schema, wanted) else None
        if obj["id"] is None:
            obj["id"] = self.fresh_id(schema)
        for stamp in _STAMPS:
            self._stamp(collection, obj, stamp)
        return obj

    def _stamp(self, collection: Collection, obj: dict[str, Any], name: str) -> None:
        """Set a timestamp field in the form its schema declares (seconds or ISO 8601)."""
        if name not in obj:
            return
        now = self.now()
        prop = top_properties(collection.item_schema).get(name, {})
        iso = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        obj[name] = now if fits(prop, now) else iso if fits(prop, iso) else obj[name]

    def overlay(self, collection: Collection, obj: dict[str, Any], data: dict[str, Any]) -> None:
        props = top_properties(collection.item_schema)
        for key, value in data.items():
            if key in ("id", "type") or key not in props:
                continue
            if fits(props[key], value):
                obj[key] = copy.deepcopy(value)
        if data:
            self._stamp(collection, obj, "updated_at")
        self.version += 1

    def add(self, bucket: dict[str, dict[str, Any]], obj: dict[str, Any]) -> None:
        bucket[str(obj["id"])] = obj
        self.version += 1

    def get(self, bucket: dict[str, dict[str, Any]], item_id: str) -> dict[str, Any]:
        obj = bucket.get(item_id)
        if obj is None:
            raise not_found()
        return obj

    def remove(self, bucket: dict[str, dict[str, Any]], item_id: str) -> dict[str, Any]:
        obj = self.get(bucket, item_id)
        del bucket[item_id]
        self.version += 1
        return obj


def _fits_id(schema: Any, value: Any) -> bool:
    if _id_kind(schema) == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and bool(value)
