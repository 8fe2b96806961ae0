"""The layer registry: one spec per layer is all it takes to add a curated layer."""

import json
import re
import sqlite3
from xml.etree import ElementTree

import pytest

import geo
from geo import registry
from geo.exporter import read_exported
from geo.mapping.builder import build_map, to_html
from geo.registry import Field, LayerSpec

PARKS = """
layer = "test_parks"
title = "Test parks"
as_of = "2026-12-01"

[[features]]
id = "kg-ala-archa"
name = "Ala-Archa <park>"
kind = "park"
country = "KGZ"
status = "operating"
confidence = "H"
as_of = "2026-11"
area_ha = 19400.0
location = { precision = "town", geonameid = 1528675, uncertainty_m = 20000, basis = "Bishkek (GeoNames)" }
sources = [{ title = "A source", publisher = "P", url = "https://example.org/a", date = "2026-01", type = "news" }]

[[features]]
id = "kz-charyn"
name = "Charyn"
kind = "park"
country = "KAZ"
status = "planned"
confidence = "M"
as_of = "2026"
location = { precision = "region", areas = [{ layer = "regions", id = "kz-almaty" }] }
sources = [{ title = "B source", publisher = "P", url = "https://example.org/b", date = "", type = "news" }]
"""


def _spec(folder):
    return LayerSpec(
        "test_parks",
        kind="curated",
        title="Test parks",
        file="parks.toml",
        fields=(Field("area_ha", type="float", minimum=0, label="Area stated (ha)"),),
        kinds=("park",),
        scheme="status",
        category="status",
        marker="diamond",
        layers_dir=folder,
    )


@pytest.fixture
def parks(tmp_path):
    (tmp_path / "parks.toml").write_text(PARKS, encoding="utf-8")
    with registry.registered(_spec(tmp_path)) as spec:
        yield spec


def test_a_synthetic_curated_layer_loads_maps_and_exports_with_no_other_module_edited(parks, tmp_path):
    gdf = geo.load("test_parks")
    assert gdf["id"].tolist() == ["kg-ala-archa", "kz-charyn"]
    assert gdf.columns.tolist()[: len(parks.columns())] == parks.columns()
    assert "test_parks" in geo.CURATED
    assert "test_parks" in set(geo.layers()["name"])

    html = to_html(build_map())  # the default map shows every curated layer
    data = json.loads(re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1))
    layer = next(o for o in data["overlays"] if o["id"] == "test_parks")
    assert layer["title"] == "Test parks"
    assert {e["label"] for e in layer["legend"]} == {"operating", "planned"}
    assert {e["shape"] for e in layer["legend"]} == {"diamond"}
    rows = dict(layer["fc"]["features"][0]["properties"]["_items"][0]["rows"])
    assert rows["Area stated (ha)"] == "19,400"

    report = geo.export(["test_parks"], tmp_path / "parks.gpkg")
    assert report.features == {"test_parks": 1, "test_parks_areas": 1}  # a town-level park, a region-level one
    with sqlite3.connect(report.path) as con:
        styles = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault"))
    points, areas = (
        ElementTree.fromstring(styles[n].split("'SYSTEM'>", 1)[1]).find("renderer-v2")
        for n in ("test_parks", "test_parks_areas")
    )
    assert points.get("type") == "pointDisplacement"
    assert points.find("renderer-v2").get("type") == "categorizedSymbol"
    assert {c.get("value") for c in points.iter("category")} == {"operating"}
    assert areas.get("type") == "RuleRenderer"
    assert "'planned'" in " ".join(r.get("filter", "") for r in areas.iter("rule"))
    back = read_exported(report.path)
    assert len(back["test_parks"]) + len(back["test_parks_areas"]) == 2


def test_the_synthetic_layer_is_validated_by_its_own_spec(parks, tmp_path):
    (tmp_path / "parks.toml").write_text(PARKS.replace('kind = "park"', 'kind = "zoo"', 1), encoding="utf-8")
    with pytest.raises(geo.LayerSchemaError, match="field 'kind' fails isin"):
        geo.load("test_parks")


def test_an_unknown_field_in_a_curated_file_is_an_error(parks, tmp_path):
    (tmp_path / "parks.toml").write_text(PARKS.replace("area_ha = 19400.0", "area_hectares = 19400.0"), "utf-8")
    with pytest.raises(geo.LayerSchemaError, match=r"unknown field\(s\) \['area_hectares'\]"):
        geo.load("test_parks")


def test_unknown_names_are_errors_never_fallbacks(tmp_path):
    with pytest.raises(geo.UnknownLayerError, match="No layer named 'parks'"):
        registry.get("parks")
    with pytest.raises(geo.UnknownNameError, match="No colour scheme 'rainbow'"):
        registry.register(
            LayerSpec("x", kind="curated", title="X", file="x.toml", kinds=("a",), scheme="rainbow", category="status")
        )
    with pytest.raises(geo.UnknownNameError, match="has no field 'colour'"):
        registry.register(
            LayerSpec("x", kind="curated", title="X", file="x.toml", kinds=("a",), scheme="status", category="colour")
        )
    with pytest.raises(ValueError, match="already registered"):
        registry.register(registry.get("campuses"))
    with pytest.raises(geo.UnknownNameError, match="No reference style"):
        registry.register(LayerSpec("roads", kind="reference", title="Roads", file="reference/roads.geojson"))
    assert "x" not in registry.names()
    assert "roads" not in registry.names()


def test_every_reference_layer_has_a_builder_and_the_basemap_comes_from_the_registry():
    from geo.data.build import OUTPUTS

    assert {o.name for o in OUTPUTS} == set(registry.reference())
    assert registry.basemap() == ("countries", "regions", "aralkum", "aral_sea_historic", "lakes", "rivers", "cities")
    assert registry.get("aral_sea_historic").visible is False


def test_an_unknown_category_is_an_error_not_grey():
    from geo import symbology

    with pytest.raises(geo.UnknownNameError, match="no category 'rumoured'"):
        symbology.category_of("rumoured", "status")
    with pytest.raises(geo.UnknownNameError, match="Unknown commodity 'unobtainium'"):
        symbology.category_of(["unobtainium"], "commodity")


def test_a_new_curated_layer_is_in_the_default_atlas_and_the_manifest_without_editing_them(parks):
    from geo.mapping.recipes import load_recipe
    from geo.provenance import curated_records

    assert load_recipe("atlas")["layers"] == [{"layer": name} for name in registry.curated()]
    assert {"layer": "test_parks"} in load_recipe("atlas")["layers"]
    assert "test_parks" not in curated_records()  # registered from another folder: not the shipped manifest
