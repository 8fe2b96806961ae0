"""Symbology: every scheme's colours stay apart for colour-blind readers; names are checked, never guessed."""

import itertools

import numpy as np
import pytest

from geo import registry, symbology

# Machado, Oliveira & Fernandes (2009), severity 1.0, in linear RGB.
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
MIN_DELTA_E = 8.0  # CIE76 units: clearly different at a glance for markers of the same shape


def _lab(hex_colour: str, matrix: np.ndarray) -> np.ndarray:
    srgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(matrix @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", sorted(CVD))
@pytest.mark.parametrize("name", sorted(symbology.SCHEMES))
def test_categories_of_a_scheme_stay_apart_for_colour_blind_readers(name, vision):
    colours = symbology.scheme(name).colours
    for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
        if frozenset({a, b}) in symbology.SHARED_COLOURS:
            assert ca == cb
            continue
        delta = float(np.linalg.norm(_lab(ca, CVD[vision]) - _lab(cb, CVD[vision])))
        assert delta >= MIN_DELTA_E, f"{name}: {a} {ca} vs {b} {cb} under {vision}: ΔE {delta:.1f}"


def test_gold_uranium_and_copper_no_longer_share_a_hue():
    colour = {
        c: symbology.scheme("commodity").colour(symbology.commodity_group(c)) for c in ("gold", "uranium", "copper")
    }
    assert len(set(colour.values())) == 3


def test_every_commodity_has_one_group_and_critical_minerals_are_known_commodities():
    assert symbology.UK_CRITICAL <= set(symbology.COMMODITIES)
    members = [c for group in symbology.COMMODITY_GROUPS.values() for c in group]
    assert len(members) == len(set(members))


def test_layers_are_told_apart_by_shape():
    shapes = [registry.get(n).marker for n in registry.curated()]
    assert len(set(shapes)) == len(shapes)


def _contrast(a: np.ndarray, b: np.ndarray) -> float:
    """WCAG contrast of two Lab colours, from their lightness (L* 0-100 to relative luminance)."""
    lum = [((L + 16) / 116) ** 3 if L > 8 else L / 903.3 for L in (a[0], b[0])]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


@pytest.mark.parametrize("vision", sorted(CVD))
def test_critical_mineral_glyphs_are_distinct_and_legible_on_every_commodity_colour(vision):
    strategy = {"lithium", "rare earths", "tungsten", "graphite", "antimony", "gallium", "germanium"}
    strategy |= {"titanium", "vanadium", "chromium", "cobalt", "nickel"}
    assert strategy <= set(symbology.CRITICAL_GLYPHS)
    texts = [g.text for g in symbology.CRITICAL_GLYPHS.values()]
    assert len(set(texts)) == len(texts)  # told apart by their mark, not their colour
    for group, colour in symbology.scheme("commodity").colours.items():
        ink = symbology.glyph_ink(colour)
        contrast = _contrast(_lab(ink, CVD[vision]), _lab(colour, CVD[vision]))
        assert contrast >= 3.0, f"{group} {colour}: {ink} glyphs contrast {contrast:.1f} under {vision}"


def test_a_deposit_shows_the_glyph_of_its_first_named_critical_mineral():
    assert symbology.critical_glyph(["copper", "cobalt", "lithium"]).text == "Li"
    assert symbology.critical_glyph(["gold"]) is None
    assert symbology.critical_glyph(None) is None
