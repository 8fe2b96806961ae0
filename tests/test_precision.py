"""Location precision: one module says what each level means, and the map and analysis take it from there."""

import pandas as pd
import pytest

import geo
from geo import precision


def test_levels_are_ordered_and_split_into_points_areas_and_none():
    assert list(precision.LEVELS) == ["site", "town", "district", "region", "country", "unknown"]
    assert precision.POINT_LEVELS == {"site", "town", "district"}
    assert precision.AREA_LEVELS == {"region", "country"}
    assert [p.rank for p in precision.LEVELS.values()] == list(range(6))


def test_words_say_the_radius_even_for_a_site():
    assert precision.describe("site", 10_000) == "site: the point a cited source states (±10 km)"
    assert precision.describe("town", 500.0).endswith("(±500 m)")
    assert "exact" not in precision.describe("site", 2_000)
    radii = pd.Series([2_000.0, 10_000.0, None])
    assert precision.legend_label("site", radii).endswith("±2 km to 10 km")


def test_envelopes_are_only_where_a_feature_lies():
    assert precision.is_envelope("region")
    assert precision.is_envelope("country")
    assert not precision.is_envelope("town")


def test_unknown_level_is_an_error():
    with pytest.raises(geo.UnknownNameError, match="No location precision 'village'"):
        precision.get("village")


def test_frames_without_precision_columns_are_exact_points():
    frame = pd.DataFrame({"x": [1, 2]})
    assert precision.uncertainty_m(frame).tolist() == [0.0, 0.0]
    assert precision.somewhere_inside(frame).tolist() == [False, False]
