"""The per-resource documents that policy field paths address, and their types.

Each resource kind is judged through one JSON-like document built from the LINKED inventory: its own
fields plus the link fields its descriptor declares (``auditor.inventory.kinds.KINDS``):

* endpoint: ``monitors`` (each with its ``job_definition`` and ``alarms``);
* monitor: ``job_definition``, ``alarms`` and ``endpoint``;
* job_definition: ``monitors``;
* alarm: ``monitors`` and ``parents`` (the composite alarms that list it as a child);
* target: ``errors`` (the scan errors recorded for that account and region).

The document types are derived from the same descriptors and the inventory dataclasses, so a field
path is checked against the model at load time. Which dataset a path needs comes from the
descriptors too (each kind's dataset, and the fields other calls fill: tags, the endpoint config);
the engine derives each policy's requirements from the paths it uses. A document also carries the
datasets missing for the resource or any resource embedded in it, so a verdict that reads them is
ERROR.

Each object type also knows whose fields it holds (``owner``: the resource kind, and ``prefix``: the
field path inside that kind's record), so a path tells which record fields it reads. Resources read
from a template carry the fields that are unknown until deploy; a document gathers those of the
resource and of every resource embedded in it (keyed by kind and field path), and a check that reads
one of them is ERROR.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from auditor.inventory.kinds import KINDS, Index, KindSpec, Link, spec_of_model
from auditor.inventory.model import AWS_ENUM, AwsEnum, Dataset, Inventory, ResourceKind, SourceLocation
from auditor.inventory.raw import as_dict

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class AnyType:
    """Unknown structure (``raw`` records, function results): any path below is accepted."""


@dataclass(frozen=True)
class ScalarType:
    name: str  # string | integer | number | boolean | enum
    # Set for an enum-like field (``AwsEnum`` on the model): the values this version knows.
    known: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ListType:
    item: DocType


@dataclass(frozen=True)
class MapType:
    """A mapping with free keys (tags, environment, dimensions)."""

    value: DocType
    dataset: Dataset | None = None


@dataclass(eq=False, slots=True)
class ObjectType:
    """An object with known fields. ``dataset`` is where its data comes from; ``field_datasets``
    overrides it for single fields. ``owner`` is the resource kind whose record holds these fields
    and ``prefix`` their path in that record ("" for the record itself, ``data_capture`` for its
    capture block); None for records that are not a kind (scan errors)."""

    name: str
    fields: dict[str, DocType] = field(default_factory=dict)
    dataset: Dataset | None = None
    field_datasets: dict[str, Dataset] = field(default_factory=dict)
    owner: ResourceKind | None = None
    prefix: str = ""


DocType = AnyType | ScalarType | ListType | MapType | ObjectType
ANY = AnyType()


def _from_annotation(tp: Any, inherited: Dataset | None, owner: ResourceKind | None, prefix: str) -> DocType:
    origin = get_origin(tp)
    if tp is Any:
        return ANY
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return _from_annotation(options[0], inherited, owner, prefix) if len(options) == 1 else ANY
    if origin is list:
        return ListType(_from_annotation(get_args(tp)[0], inherited, owner, prefix))
    if origin in (dict, Mapping):
        return MapType(_from_annotation(get_args(tp)[1], inherited, owner, prefix))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return object_type(tp, inherited, owner=owner, prefix=prefix)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return ScalarType("enum")
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return ScalarType(names.get(tp, "string"))


@cache
def _datasets() -> tuple[dict[type, Dataset], dict[type, dict[str, Dataset]]]:
    """Which dataset each kind's model comes from, and per-field overrides, from the descriptors."""
    base: dict[type, Dataset] = {s.model: s.dataset for s in KINDS if s.dataset is not None}
    fields: dict[type, dict[str, Dataset]] = {}
    for spec in KINDS:
        for cls, overrides in spec.field_datasets.items():
            fields.setdefault(cls, {}).update(overrides)
    return base, fields


def object_type(
    cls: type, inherited: Dataset | None = None, *, owner: ResourceKind | None = None, prefix: str = ""
) -> ObjectType:
    """The document type of dataclass ``cls`` (without link fields).

    A kind's own model is its own owner; a nested dataclass belongs to the record that holds it.
    """
    base, overrides = _datasets()
    dataset = base.get(cls, inherited)
    spec = spec_of_model(cls)
    if spec is not None:
        owner, prefix = spec.kind, ""
    hints = get_type_hints(cls)
    fields = {
        f.name: _enum_like(
            _from_annotation(hints[f.name], dataset, owner, f"{prefix}.{f.name}" if prefix else f.name),
            f.metadata.get(AWS_ENUM),
        )
        for f in dataclasses.fields(cls)
    }
    return ObjectType(cls.__name__, fields, dataset, dict(overrides.get(cls, {})), owner, prefix)


def _enum_like(doc_type: DocType, spec: AwsEnum | None) -> DocType:
    """Mark the scalar (or list of scalars) of an enum-like field with the values it knows."""
    if spec is None:
        return doc_type
    if isinstance(doc_type, ListType) and isinstance(doc_type.item, ScalarType):
        return ListType(ScalarType(doc_type.item.name, spec.known))
    if isinstance(doc_type, ScalarType):
        return ScalarType(doc_type.name, spec.known)
    return doc_type


def enum_values(doc_type: DocType) -> tuple[str, ...] | None:
    """The known values when ``doc_type`` is an enum-like field (or a list of one), else None."""
    if isinstance(doc_type, ListType):
        doc_type = doc_type.item
    return doc_type.known if isinstance(doc_type, ScalarType) else None


def _linked(item: DocType, link: Link) -> DocType:
    return ListType(item) if link.many else item


def _nested_type(spec: KindSpec) -> ObjectType:
    """A kind's type as embedded in another document: its fields and its nested links."""
    own = object_type(spec.model)
    nested = [link for link in spec.links if link.nested]
    if not nested:
        return own
    extra = {link.name: _linked(object_type(link.item), link) for link in nested}
    return ObjectType(
        f"Linked{own.name}", {**own.fields, **extra}, own.dataset, dict(own.field_datasets), own.owner
    )


def _embedded_type(item: type) -> ObjectType:
    spec = spec_of_model(item)
    return _nested_type(spec) if spec is not None else object_type(item)


@cache
def document_types() -> dict[ResourceKind, ObjectType]:
    """The document type of every resource kind (including link fields), from ``KINDS``."""
    out: dict[ResourceKind, ObjectType] = {}
    for spec in KINDS:
        nested = _nested_type(spec)
        extra = {
            link.name: _linked(_embedded_type(link.item), link) for link in spec.links if not link.nested
        }
        out[spec.kind] = ObjectType(
            f"{spec.model.__name__}Document",
            {**nested.fields, **extra},
            nested.dataset,
            dict(nested.field_datasets),
            spec.kind,
        )
    return out


# --------------------------------------------------------------------------- building documents


@cache
def _nested_fields(cls: type) -> tuple[str, ...]:
    """Fields of ``cls`` that hold dataclasses (directly or in lists) and need converting."""
    hints = get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        args = [a for a in (get_args(tp) or (tp,)) if a is not type(None)]
        inner = [get_args(a)[0] if get_origin(a) is list else a for a in args]
        if any(isinstance(a, type) and dataclasses.is_dataclass(a) for a in inner):
            out.append(f.name)
    return tuple(out)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def plain(obj: Any) -> dict[str, Any]:
    """A shallow JSON-like view of a model object.

    Enum members are StrEnums (they compare equal to their wire value), and ``raw`` records are
    already JSON data, so only nested dataclasses are converted: the view costs one dict copy.
    """
    cls: Any = type(obj)
    out = {name: getattr(obj, name) for name in _field_names(cls)}
    if "raw" in out:
        out["raw"] = as_dict(out["raw"])  # kept compact in the inventory: a fresh dict per view
    for name in _nested_fields(cls):
        value = out[name]
        if isinstance(value, list):
            out[name] = [plain(v) for v in value]
        elif value is not None:
            out[name] = plain(value)
    return out


# (kind, field path in that kind's record) -> why the value is unknown until deploy
UnknownFields = dict[tuple[ResourceKind, str], str]
_NO_UNKNOWNS: UnknownFields = {}


@dataclass(slots=True)
class Resource:
    """One judged resource: its document and what the engine needs to know about it."""

    kind: ResourceKind
    arn: str
    name: str
    account_id: str
    region: str
    tags: dict[str, str]
    document: dict[str, Any]
    missing: frozenset[Dataset]  # its own missing datasets and those of the linked resources it embeds
    endpoint_arns: tuple[str, ...] = ()  # the endpoints it belongs to (for the coverage matrix)
    location: SourceLocation | None = None  # where it is declared, when read from a template or plan
    # Fields unknown until deploy, of the resource and of the linked resources its document embeds.
    unknown: UnknownFields = field(default_factory=dict)

    @property
    def planned(self) -> bool:
        """Read from a template or plan: not deployed yet, so it has no run-time state."""
        return self.location is not None


_View = tuple[dict[str, Any], frozenset[Dataset], UnknownFields]


def _merge_unknown(into: UnknownFields, more: UnknownFields) -> UnknownFields:
    """``into`` with ``more`` added; shares the empty mapping (the scanned case) instead of copying."""
    if not more:
        return into
    if not into:
        return more
    return {**into, **more}


def _own_unknown(item: Any) -> UnknownFields:
    spec = spec_of_model(type(item))
    if spec is None:
        return _NO_UNKNOWNS
    fields = spec.unknown_of(item)
    return {(spec.kind, path): why for path, why in fields.items()} if fields else _NO_UNKNOWNS


class _Builder:
    """Builds every document once: plain views, then nested views, then the full documents."""

    def __init__(self, inventory: Inventory) -> None:
        self.index = Index(inventory)
        self.base: dict[int, dict[str, Any]] = {}
        self.nested: dict[int, _View] = {}

    def forget(self) -> None:
        """Drop the views built so far (the next resources rebuild what they embed)."""
        self.base.clear()
        self.nested.clear()

    def plain(self, item: Any) -> dict[str, Any]:
        key = id(item)
        doc = self.base.get(key)
        if doc is None:
            doc = self.base[key] = plain(item)
        return doc

    def _attach(
        self, doc: dict[str, Any], link: Link, items: list[Any], view: Callable[[Any], dict[str, Any]]
    ) -> None:
        if link.many:
            doc[link.name] = [view(i) for i in items]
        else:
            doc[link.name] = view(items[0]) if items else None

    def nested_view(self, spec: KindSpec, item: Any) -> _View:
        """The document of ``item`` as embedded elsewhere, the datasets missing for it, and the
        fields unknown until deploy in it."""
        key = id(item)
        found = self.nested.get(key)
        if found is not None:
            return found
        missing = spec.missing_of(item)
        unknown = _own_unknown(item)
        nested_links = [link for link in spec.links if link.nested]
        if not nested_links:
            result = (self.plain(item), missing, unknown)
        else:
            doc = dict(self.plain(item))
            for link in nested_links:
                items = link.get(item, self.index)
                self._attach(doc, link, items, self.plain)
                missing = missing.union(*(_own_missing(i) for i in items))
                for i in items:
                    unknown = _merge_unknown(unknown, _own_unknown(i))
            result = (doc, missing, unknown)
        self.nested[key] = result
        return result

    def embedded(self, item: Any) -> _View:
        spec = spec_of_model(type(item))
        if spec is None:
            return self.plain(item), frozenset(), _NO_UNKNOWNS
        return self.nested_view(spec, item)

    def resource(self, spec: KindSpec, item: Any) -> Resource:
        doc, missing, unknown = self.nested_view(spec, item)
        doc = dict(doc)
        for link in spec.links:
            if link.nested:
                continue
            items = link.get(item, self.index)
            views = [self.embedded(i) for i in items]
            self._attach(doc, link, views, lambda v: v[0])
            missing = missing.union(*(m for _, m, _ in views))
            for _, _, more in views:
                unknown = _merge_unknown(unknown, more)
        return Resource(
            kind=spec.kind,
            arn=spec.arn_of(item),
            name=spec.name_of(item),
            account_id=item.account_id,
            region=item.region,
            tags=spec.tags_of(item),
            document=doc,
            missing=missing,
            endpoint_arns=tuple(spec.endpoints(item, self.index)),
            location=spec.source_of(item),
            unknown=unknown,
        )


def _own_missing(item: Any) -> frozenset[Dataset]:
    return frozenset(getattr(item, "missing", ()))


CHUNK = 250  # resources whose documents are alive at once (see iter_resources)


def iter_resources(inventory: Inventory, chunk: int = CHUNK) -> Iterator[tuple[ResourceKind, list[Resource]]]:
    """Every resource with its document, kind by kind in inventory order, ``chunk`` at a time.

    Documents embed the views of linked resources; they are shared within a chunk and forgotten after
    it, so the documents alive at once are those of one chunk and what they embed, not the whole
    inventory's (a linked resource embedded by two chunks is viewed twice). Links come from
    relations.link.
    """
    builder = _Builder(inventory)
    for spec in KINDS:
        items = spec.items(inventory)
        for start in range(0, len(items), chunk):
            builder.forget()
            yield spec.kind, [builder.resource(spec, item) for item in items[start : start + chunk]]
    builder.forget()
