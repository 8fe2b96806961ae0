"""What counts as what: a campus is a campus, not the school or the office the layer also maps (issue 21)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import geo
from geo.analysis.select import counted
from geo.cli.main import app


def test_campuses_count_campus_kinds_by_default():
    campuses = geo.load("campuses")
    kept, note = counted(campuses, name="campuses")
    assert "kz-charterhouse-almaty" in set(campuses["id"])  # still mapped …
    assert {"kz-charterhouse-almaty", "kz-leicester-almaty-office"}.isdisjoint(kept["id"])  # … not counted
    assert set(kept["kind"]) <= {"branch_campus", "university"}
    assert "counting kinds branch_campus, university" in note
    assert "1 school" in note
    assert "1 office" in note
    everything, note = counted(campuses, name="campuses", kinds="all")
    assert len(everything) == len(campuses)
    assert "left out" not in note
    schools, _ = counted(campuses, name="campuses", kinds="school")
    assert list(schools["id"]) == ["kz-charterhouse-almaty"]
    with pytest.raises(ValueError, match="has no kind \\['campus'\\]"):
        counted(campuses, name="campuses", kinds="campus")


def test_layers_without_counted_kinds_and_user_files_are_kept_whole():
    deposits = geo.load("mineral_deposits")
    kept, note = counted(deposits, name="mineral_deposits")
    assert len(kept) == len(deposits)
    assert note == ""
    kept, note = counted(deposits, name="my_file.gpkg")
    assert len(kept) == len(deposits)
    assert note == ""


def test_registry_rejects_counted_kinds_outside_the_vocabulary():
    from dataclasses import replace

    from geo import registry

    spec = replace(registry.get("campuses"), name="campuses_test", counted_kinds=("campus",))
    with pytest.raises(ValueError, match="counted kinds \\['campus'\\]"):
        registry.register(spec)


def test_cli_near_says_which_kinds_it_counts():
    runner = CliRunner(env={"COLUMNS": "250"})
    result = runner.invoke(app, ["near", "campuses", "mineral_deposits", "--within-km", "50"])
    assert result.exit_code == 0, result.output
    assert "campuses: counting kinds branch_campus, university" in result.output
    assert "Charterhouse" not in result.output
    assert "Leicester" not in result.output
    result = runner.invoke(app, ["near", "campuses", "mineral_deposits", "--within-km", "50", "--kinds", "all"])
    assert result.exit_code == 0, result.output
    assert "left out" not in result.output
