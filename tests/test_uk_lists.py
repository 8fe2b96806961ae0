"""The UK's mineral lists as data, and the '22 of 36' claim put to the test (issue 21)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import geo
from geo.cli.main import app
from geo.mineral_lists import LISTS, NOT_FOUND, critical_minerals, list_members, read_lists
from geo.paths import LAYERS_DIR
from geo.symbology import COMMODITIES

TABLE = LAYERS_DIR / "tables" / "uk_minerals.csv"


def test_lists_table_holds_34_critical_slots_with_the_unnamed_ones_visible():
    rows = list_members("critical_2024")
    assert len(rows) == 34  # the assessment's declared size, named or not
    named = [r for r in rows if r.mineral]
    assert len(named) == 16
    assert all(r.status == NOT_FOUND and r.url.startswith("https://") for r in rows if r.mineral is None)
    assert len(list_members("critical_2021")) == 18
    assert {"copper", "uranium"} <= {r.mineral for r in list_members("growth_2025")}


def test_uk_critical_is_derived_from_the_table():
    from geo.symbology import COMMODITIES, UK_CRITICAL

    assert critical_minerals() == UK_CRITICAL
    assert "palladium" not in UK_CRITICAL  # dropped in 2024
    assert {"copper", "uranium"}.isdisjoint(UK_CRITICAL)  # growth, not critical
    assert {"titanium", "chromium", "tungsten", "rare earths"} <= UK_CRITICAL
    assert UK_CRITICAL <= set(COMMODITIES)


def test_lists_table_rejects_an_unknown_mineral_or_a_named_row_without_mineral(tmp_path):
    bad = tmp_path / "lists.csv"
    text = TABLE.read_text(encoding="utf-8")
    bad.write_text(text.replace("\nantimony,critical_2021", "\nantimonium,critical_2021", 1), encoding="utf-8")
    with pytest.raises(geo.UnknownNameError, match="antimonium"):
        read_lists(bad, commodities=COMMODITIES)
    bad.write_text(text.replace("\nantimony,critical_2021", "\n,critical_2021", 1), encoding="utf-8")
    with pytest.raises(geo.LayerSchemaError, match="line 2: a named row needs a mineral"):
        read_lists(bad, commodities=COMMODITIES)
    with pytest.raises(geo.UnknownNameError, match="critical_2099"):
        list_members("critical_2099")
    assert set(LISTS) == {"critical_2021", "critical_2024", "growth_2025"}


def test_listed_producers_cites_figures_and_never_says_no():
    from geo.analysis.uk_lists import YES_FEATURE, YES_TABLE, listed_producers

    result = listed_producers()
    assert set(result["produces"]) <= {YES_TABLE, YES_FEATURE, NOT_FOUND}
    uranium = result[(result["mineral"] == "uranium") & (result["country"] == "KAZ")].iloc[0]
    assert uranium["produces"] == YES_TABLE
    assert uranium["world_share_pct"] == pytest.approx(38.6, abs=0.1)  # 23,270 of 60,213 t U (WNA 2024)
    assert uranium["source_url"].startswith("https://")
    chromium = result[(result["mineral"] == "chromium") & (result["country"] == "KAZ")].iloc[0]
    assert chromium["produces"] != NOT_FOUND
    slots = result[result["mineral"].isna()]
    assert len(slots) == 5 * 19
    assert (slots["produces"] == NOT_FOUND).all()


def test_listed_producers_uses_an_operating_feature_only_when_there_is_no_figure():
    from geo.analysis.uk_lists import YES_FEATURE, listed_producers

    table = pd.DataFrame(columns=["mineral", "stage", "year", "unit", "country", "value", "share_pct", "source"])
    deposits = pd.DataFrame(
        {
            "id": ["a", "b"],
            "country": ["KGZ", "KGZ"],
            "status": ["operating", "exploration"],
            "commodities": [["antimony"], ["tungsten"]],
            "sources": [[{"url": "https://example.org/a"}], [{"url": "https://example.org/b"}]],
        }
    )
    result = listed_producers(table=table, deposits=deposits, countries=("KGZ",)).set_index("mineral", drop=False)
    assert result.loc["antimony", "produces"] == YES_FEATURE
    assert result.loc["antimony", "source_url"] == "https://example.org/a"
    assert result.loc["tungsten", "produces"] == NOT_FOUND  # exploration is not production


def test_claim_counts_set_each_country_against_22_of_36():
    from geo.analysis.uk_lists import claim_counts, listed_producers

    counts = {c.country: c for c in claim_counts(listed_producers())}
    kaz = counts["KAZ"]
    assert kaz.unnamed == 19
    assert kaz.named == 19
    assert 0 < kaz.produced <= kaz.named
    assert "22 of 36" in kaz.verdict


def test_cli_minerals_table_and_json():
    runner = CliRunner(env={"COLUMNS": "250"})
    result = runner.invoke(app, ["minerals", "--country", "KAZ"])
    assert result.exit_code == 0, result.output
    assert "NOT FOUND" in result.output
    assert "unnamed member" in result.output
    assert "KAZ:" in result.output
    assert "22 of 36" in result.output
    result = runner.invoke(app, ["minerals", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["claim"]["produced"] == 22
    assert payload["claim"]["listed"] == 36
    assert {c["country"] for c in payload["counts"]} == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    result = runner.invoke(app, ["minerals", "--country", "RUS"])
    assert result.exit_code == 1
    assert "RUS" in result.output


def test_lists_table_is_shipped_in_the_layers_folder(tmp_path):
    shutil.copy(TABLE, tmp_path / "copy.csv")
    assert read_lists(tmp_path / "copy.csv") == read_lists()
