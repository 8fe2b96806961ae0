"""The layer registry: one frozen :class:`LayerSpec` per layer, and everything else reads it.

A spec says what a layer is (curated or reference, title, file), which fields a curated layer has and
their types, which field its colours follow and in which :mod:`geo.symbology` scheme, which fields its
popups show, its marker shape and how it sits in a basemap or a QGIS project. ``geo.catalog`` loads
from it, ``geo.schema`` validates from it, ``geo.curated`` reads TOML by it, and the map and the QGIS
styles draw from it. An unknown layer or field is an error.

**Adding a curated layer** takes its TOML file in ``layers/curated/`` and one ``LayerSpec`` below (or
:func:`register` from your own code, with ``layers_dir`` pointing at your folder); no other module.
This module imports nothing heavy, so ``import geo.registry`` is cheap.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass, replace
from pathlib import Path
from typing import Literal

from geo import symbology
from geo.errors import UnknownLayerError, UnknownNameError
from geo.symbology import COMMODITIES

__all__ = [
    "COMMON_FIELDS",
    "CONFIDENCE",
    "COUNTRIES",
    "SOURCE_TYPES",
    "STATUSES",
    "UK_LINK_KINDS",
    "WEAK_SOURCE_TYPES",
    "Field",
    "LayerSpec",
    "curated",
    "get",
    "names",
    "reference",
    "register",
    "registered",
    "unregister",
]

FieldType = Literal["text", "int", "float", "bool", "date", "list", "records", "quantity"]

STATUSES = (
    "operating",
    "construction",
    "exploration",
    "pilot",
    "agreement",
    "planned",
    "announced",
    "suspended",
    "closed",
    "unknown",
)
CONFIDENCE = {"H": "high", "M": "medium", "L": "low"}
#: What a dated event of a feature's history may record.
EVENT_STATUSES = (
    "announced",
    "agreement",
    "licensed",
    "exploration",
    "construction",
    "pilot",
    "operating",
    "suspended",
    "resumed",
    "closed",
    "planned",
)
COUNTRIES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
#: What kind of publication a source is (each entry of a feature's ``sources`` has a ``type``). A copy of
#: Wikipedia or of a document on another domain is a ``mirror`` whatever it calls itself; an ``aggregator``
#: compiles or rounds others' figures.
SOURCE_TYPES = (
    "official",
    "regulator",
    "exchange_filing",
    "company",
    "news",
    "research",
    "encyclopedia",
    "mirror",
    "aggregator",
)
#: Source types no figure (owners, capacity, production, reserves) may rest on alone.
WEAK_SOURCE_TYPES = ("mirror", "aggregator")
#: How a feature connects to the UK (each entry of ``uk_link`` has a ``kind``, a ``note`` and a ``source``).
UK_LINK_KINDS = ("london_listed", "uk_owned", "uk_finance", "uk_university", "uk_agreement")
_QUANTITY_PARTS = ("value", "unit", "year", "source")
_PART_TYPES: dict[str, FieldType] = {"value": "float", "year": "int"}


@dataclass(frozen=True)
class Field:
    """One field of a curated layer.

    Attributes
    ----------
    name
        The column name (for a ``quantity``, the prefix of its columns).
    type
        ``text``, ``int``, ``float``, ``bool``, ``date`` (``YYYY[-MM[-DD]]`` text), ``list`` (of
        strings), ``records`` (a list of tables) or ``quantity`` (a TOML table ``{value, unit, year,
        source}`` that becomes the columns ``<name>_value``, ``<name>_unit``, ``<name>_year`` and
        ``<name>_source``).
    required
        Every feature must give it.
    values
        The allowed values (of each item, for a list; of each record's ``kind``, for records), if the field has
        a vocabulary.
    minimum
        The smallest allowed number.
    label
        The popup row's label; ``None`` keeps the field out of popups.
    key
        The TOML key, if it differs from `name`; a dotted key reads a nested table.
    parts
        A quantity's parts (``value``, ``unit``, ``year``, ``source`` by default).
    """

    name: str
    _: KW_ONLY  # the rest by keyword
    type: FieldType = "text"
    required: bool = False
    values: tuple[str, ...] | None = None
    minimum: float | None = None
    label: str | None = None
    key: str | None = None
    parts: tuple[str, ...] = _QUANTITY_PARTS

    def columns(self) -> list[tuple[str, FieldType]]:
        """Return the columns this field becomes, with their types."""
        if self.type != "quantity":
            return [(self.name, self.type)]
        return [(f"{self.name}_{part}", _PART_TYPES.get(part, "text")) for part in self.parts]


#: The fields every curated layer has, in column order. ``location_*`` come from the ``location`` table;
#: ``events`` is the dated status history ``[{date, status, note, source}]``; ``agreements`` (derived, not in the
#: TOML) lists the ids of the agreements in ``layers/tables/agreements.toml`` that name the feature. ``as_of`` is the
#: date the status is known to be true; ``checked`` the date it was last verified (backed by a source dated within
#: the year before, or by ``searched``: what was searched, where, and what was not found). ``uk_link`` says how a
#: feature connects to the UK: ``[{kind, note, source}]`` with a kind from :data:`UK_LINK_KINDS`.
COMMON_FIELDS: tuple[Field, ...] = (
    Field("id", required=True),
    Field("name", required=True),
    Field("name_local"),
    Field("layer", required=True),
    Field("kind", required=True, label="Kind"),
    Field("country", required=True, values=COUNTRIES),
    Field("region"),
    Field("status", required=True, values=STATUSES, label="Status"),
    Field("confidence", required=True, values=tuple(CONFIDENCE)),
    Field("sources", type="records", required=True),
    Field("as_of", type="date", required=True),
    Field("checked", type="date", label="Checked"),
    Field("searched"),
    Field("notes"),
    Field("disputed", type="bool"),
    Field("readings", type="records"),
    Field("events", type="records"),
    Field("agreements", type="list"),
    Field("uk_link", type="records", values=UK_LINK_KINDS, label="UK link"),
    Field("location_precision", required=True, key="location.precision"),
    Field("uncertainty_m", type="float", minimum=0, key="location.uncertainty_m"),
    Field("location_basis", key="location.basis"),
    Field("location_source"),
)


@dataclass(frozen=True)
class LayerSpec:
    """Everything geo knows about one layer.

    Attributes
    ----------
    name
        The layer's name (``geo.load(name)``).
    kind
        ``curated`` (hand-edited TOML, cited) or ``reference`` (GeoJSON rebuilt from registry packages).
    title
        What maps, legends and ``geo layers`` call it.
    file
        The data file, relative to the layers folder.
    fields
        A curated layer's own fields, after :data:`COMMON_FIELDS`.
    kinds
        A curated layer's vocabulary for ``kind``.
    counted_kinds
        The kinds an analysis counts as the layer's subject by default (``campuses``: campuses, not the
        school or the regional office it also maps); empty means every kind.
    scheme, category
        The :mod:`geo.symbology` scheme its colours follow, and the field the scheme reads.
    marker
        Marker shape on the web map and in QGIS.
    critical_outline
        Mark features with a UK-critical commodity by a thick black outline.
    basemap
        Position in the default basemap (bottom first), or ``None`` if not part of it.
    visible
        Whether the layer is switched on when a map opens.
    layers_dir
        The folder holding `file` if not the shipped layers folder (a layer registered from elsewhere).
    """

    name: str
    _: KW_ONLY  # the rest by keyword
    kind: Literal["curated", "reference"]
    title: str
    file: str
    fields: tuple[Field, ...] = ()
    kinds: tuple[str, ...] = ()
    counted_kinds: tuple[str, ...] = ()
    scheme: str | None = None
    category: str | None = None
    marker: str = "circle"
    critical_outline: bool = False
    basemap: int | None = None
    visible: bool = True
    description: str = ""
    layers_dir: Path | None = None

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """The common fields (curated layers only), then the layer's own."""
        return (*COMMON_FIELDS, *self.fields) if self.kind == "curated" else self.fields

    def columns(self) -> list[str]:
        """Return the columns of a loaded curated layer, in order (before ``geometry``)."""
        return [col for f in self.all_fields for col, _ in f.columns()]

    def field(self, name: str) -> Field:
        """Return the field `name`; an unknown field is an error."""
        for f in self.all_fields:
            if f.name == name:
                return f
        msg = f"Layer {self.name!r} has no field {name!r}; fields: {[f.name for f in self.all_fields]}."
        raise UnknownNameError(msg)

    def path(self, layers_dir: Path) -> Path:
        """Where this layer's file is, given the default layers folder."""
        return (self.layers_dir or layers_dir) / self.file


_AREAS = (
    Field("area_ha", type="float", minimum=0, label="Area stated (ha)"),
    Field("target_area_ha", type="float", minimum=0, label="Target area stated (ha)"),
    Field("funding", label="Funding"),
)

_REGISTRY: dict[str, LayerSpec] = {}


def register(spec: LayerSpec, *, replace_existing: bool = False) -> LayerSpec:
    """Add `spec` to the registry and return it.

    Raises
    ------
    ValueError
        If a layer of that name exists (pass ``replace_existing=True`` to replace it), or the spec
        names a field twice.
    """
    if spec.name in _REGISTRY and not replace_existing:
        msg = f"A layer named {spec.name!r} is already registered; pick another name."
        raise ValueError(msg)
    columns = spec.columns()
    if len(set(columns)) != len(columns):
        msg = f"Layer {spec.name!r} defines a column twice: {sorted(c for c in columns if columns.count(c) > 1)}."
        raise ValueError(msg)
    if spec.kind == "curated" and (spec.scheme is None or spec.category is None or not spec.kinds):
        msg = f"Curated layer {spec.name!r} needs kinds, a colour scheme and the field it colours by."
        raise ValueError(msg)
    if extra := [k for k in spec.counted_kinds if k not in spec.kinds]:
        msg = f"Layer {spec.name!r}: counted kinds {extra} are not among its kinds {list(spec.kinds)}."
        raise ValueError(msg)
    if spec.scheme is not None:
        symbology.scheme(spec.scheme)  # an unknown scheme is an error now, not a grey map later
    if spec.category is not None:
        spec.field(spec.category)
    if spec.marker not in symbology.MARKERS:
        msg = f"Layer {spec.name!r}: marker {spec.marker!r} is not one of {symbology.MARKERS}."
        raise ValueError(msg)
    if spec.kind == "reference":
        symbology.reference_style(spec.name)
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a layer from the registry (e.g. one a test registered)."""
    _REGISTRY.pop(name, None)


@contextlib.contextmanager
def registered(spec: LayerSpec) -> Iterator[LayerSpec]:
    """Register `spec` for the duration of a ``with`` block."""
    register(spec)
    try:
        yield spec
    finally:
        unregister(spec.name)


def get(name: str) -> LayerSpec:
    """Return the spec of layer `name`.

    Raises
    ------
    UnknownLayerError
        If no such layer is registered; the message lists those that are.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=2, cutoff=0.6)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        msg = f"No layer named {name!r}.{hint} Available: {', '.join(_REGISTRY)} (see `geo layers`)."
        raise UnknownLayerError(msg) from None


def names(kind: str | None = None) -> tuple[str, ...]:
    """Return the registered layer names in registration order, optionally only ``curated`` or ``reference``."""
    return tuple(n for n, s in _REGISTRY.items() if kind is None or s.kind == kind)


def curated() -> tuple[str, ...]:
    """Return the curated layers, in the order maps and exports list them."""
    return names("curated")


def reference() -> tuple[str, ...]:
    """Return the reference layers."""
    return names("reference")


def with_dir(spec: LayerSpec, layers_dir: Path) -> LayerSpec:
    """Return a copy of `spec` reading its file from `layers_dir`."""
    return replace(spec, layers_dir=layers_dir)


# --- the shipped layers --------------------------------------------------------------------------
for _spec in (
    LayerSpec(
        "mineral_deposits",
        kind="curated",
        title="Mineral deposits and plants",
        file="curated/mineral_deposits.toml",
        fields=(
            Field("commodities", type="list", required=True, values=tuple(COMMODITIES), label="Commodities"),
            Field("byproducts", type="list", values=tuple(COMMODITIES), label="By-products"),
            Field("operator", label="Operator"),
            Field("owners", type="records", label="Owners"),
            Field("capacity", type="quantity", label="Capacity", parts=("value", "unit", "year", "basis", "source")),
            Field("production", type="quantity", label="Production"),
            Field(
                "reserves",
                type="quantity",
                label="Reserves or resources",
                parts=("value", "unit", "year", "kind", "standard", "source"),
            ),
            Field("start_year", type="int", minimum=1700, label="Producing since"),
            Field("mine_life_end", type="int", minimum=1900, label="Expected to end"),
        ),
        kinds=("mine", "in_situ_recovery", "deposit", "plant", "exploration"),
        scheme="commodity",
        category="commodities",
        marker="circle",
        critical_outline=True,
    ),
    LayerSpec(
        "campuses",
        kind="curated",
        title="University campuses",
        file="curated/campuses.toml",
        fields=(
            Field("institution", required=True, label="Institution"),
            Field("opened", label="Opened"),
            Field("students", type="int", minimum=0, label="Students enrolled"),
            Field("capacity_students", type="int", minimum=0, label="Planned capacity (students)"),
        ),
        kinds=("branch_campus", "university", "research_centre", "school", "office"),
        counted_kinds=("branch_campus", "university"),
        scheme="status",
        category="status",
        marker="square",
    ),
    LayerSpec(
        "carbon_sites",
        kind="curated",
        title="Carbon capture and sequestration",
        file="curated/carbon_sites.toml",
        fields=(
            Field("approach", required=True, values=("geological", "forest", "pasture", "marine"), label="Approach"),
            Field("programme", label="Programme"),
            *_AREAS,
        ),
        kinds=("pasture_carbon", "forest_carbon", "agroforestry", "geological_storage", "programme"),
        scheme="approach",
        category="approach",
        marker="triangle",
    ),
    LayerSpec(
        "afforestation_areas",
        kind="curated",
        title="Afforestation",
        file="curated/afforestation_areas.toml",
        fields=(*_AREAS, Field("species", label="Species")),
        kinds=("planting_project", "programme"),
        scheme="afforestation",
        category="kind",
        marker="diamond",
    ),
    LayerSpec(
        "countries",
        kind="reference",
        title="Countries",
        file="reference/countries.geojson",
        basemap=0,
        description="Natural Earth 10m admin-0: the five states and clipped neighbours; Baikonur in Kazakhstan",
    ),
    LayerSpec(
        "regions",
        kind="reference",
        title="Regions (Natural Earth, pre-2018 Kazakhstan)",
        file="reference/regions.geojson",
        basemap=1,
        description="Natural Earth 10m admin-1: 48 regions, Kazakhstan pre-2018 layout; Baikonur in Kyzylorda",
    ),
    LayerSpec(
        "regions_kz_2022",
        kind="reference",
        title="Kazakhstan regions (2022 layout)",
        file="reference/regions_kz_2022.geojson",
        description=(
            "Kazakhstan's 20 units after the 2022 reform; OCHA/UNHCR COD-AB 2023 origin inferred, not stated; "
            "Baikonur in Kyzylorda"
        ),
    ),
    LayerSpec(
        "cities",
        kind="reference",
        title="Cities and towns (GeoNames)",
        file="reference/cities.geojson",
        basemap=6,
        description="GeoNames places >= 1,000 people, plus Zarafshan (cited)",
    ),
    LayerSpec(
        "lakes",
        kind="reference",
        title="Lakes",
        file="reference/lakes.geojson",
        basemap=4,
        description="Natural Earth 50m lakes plus larger GSHHG lakes",
    ),
    LayerSpec(
        "aral_sea_historic",
        kind="reference",
        title="Aral Sea, pre-1960",
        file="reference/aral_sea_historic.geojson",
        basemap=3,
        visible=False,
        description="GSHHG Aral Sea, pre-1960 extent",
    ),
    LayerSpec(
        "aral_sea_current",
        kind="reference",
        title="Aral Sea, 2000s",
        file="reference/aral_sea_current.geojson",
        description="Natural Earth 50m Aral Sea (2000s)",
    ),
    LayerSpec(
        "aralkum",
        kind="reference",
        title="Aralkum (dried Aral seabed)",
        file="reference/aralkum.geojson",
        basemap=2,
        description="Dried Aral seabed: historic minus current",
    ),
    LayerSpec(
        "rivers",
        kind="reference",
        title="Rivers",
        file="reference/rivers.geojson",
        basemap=5,
        description="Natural Earth 50m rivers, Amu Darya and Syr Darya named",
    ),
):
    register(_spec)


def basemap() -> tuple[str, ...]:
    """Return the default basemap's layers, bottom first."""
    ranked = sorted((s.basemap, s.name) for s in _REGISTRY.values() if s.basemap is not None)
    return tuple(n for _, n in ranked)
