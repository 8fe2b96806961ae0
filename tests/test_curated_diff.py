"""``geo data diff``: what changed in the curated layers since a date or a revision (issue 21)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date

import pytest
from typer.testing import CliRunner

import geo
from geo.cli.main import app
from geo.curated_diff import curated_at, diff, diff_since

FIRST = """layer = "mineral_deposits"
[[features]]
id = "kz-a"
name = "A mine"
status = "exploration"
capacity = { value = 10, unit = "kt/yr", source = "https://example.org/cap-old" }
sources = [ { title = "t", url = "https://example.org/a", date = "2024-01-01" } ]

[[features]]
id = "kz-b"
name = "B mine"
status = "operating"
sources = [ { title = "t", url = "https://example.org/b", date = "2024-01-01" } ]
"""
SECOND = """layer = "mineral_deposits"
[[features]]
id = "kz-a"
name = "A mine"
status = "operating"
capacity = { value = 25, unit = "kt/yr", source = "https://example.org/cap-new" }
events = [ { date = "2026-03-01", status = "operating", source = "https://example.org/opened" } ]
sources = [ { title = "t", url = "https://example.org/a", date = "2024-01-01" } ]

[[features]]
id = "kz-c"
name = "C plant"
status = "construction"
sources = [ { title = "t", url = "https://example.org/c", date = "2026-05-01" } ]
"""


def _git(repo, *args, when="2026-01-15T12:00:00Z"):
    env = os.environ | {
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path):
    layers = tmp_path / "layers"
    (layers / "curated").mkdir(parents=True)
    _git(tmp_path, "init", "-q")
    (layers / "curated" / "mineral_deposits.toml").write_text(FIRST, encoding="utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    (layers / "curated" / "mineral_deposits.toml").write_text(SECOND, encoding="utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "second", when="2026-06-01T12:00:00Z")
    return layers


def test_diff_reports_added_removed_status_and_figures_with_sources(repo):
    base, changes = diff_since(since=date(2026, 2, 1), layers_dir=repo)
    assert (
        base
        == subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD~1"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    got = {(c.id, c.change, c.field): c for c in changes}
    assert got[("kz-c", "added", "")].source == "https://example.org/c"
    assert got[("kz-b", "removed", "")].old == "B mine"
    status = got[("kz-a", "status", "status")]
    assert (status.old, status.new, status.source) == ("exploration", "operating", "https://example.org/opened")
    capacity = got[("kz-a", "changed", "capacity")]
    assert "value=25" in capacity.new
    assert "value=10" in capacity.old
    assert capacity.source == "https://example.org/cap-new"
    assert len(changes) == 4


def test_diff_from_a_revision_and_between_two(repo):
    _, changes = diff_since(revision="HEAD", layers_dir=repo)
    assert changes == []  # the work tree equals HEAD
    _, changes = diff_since(revision="HEAD~1", to="HEAD", layers_dir=repo)
    assert {c.change for c in changes} == {"added", "removed", "status", "changed"}
    assert diff(curated_at("HEAD", layers_dir=repo), curated_at("HEAD", layers_dir=repo)) == []


def test_diff_errors_are_one_line(repo):
    with pytest.raises(geo.InputFileError, match="No commit before 2020-01-01"):
        diff_since(since=date(2020, 1, 1), layers_dir=repo)
    with pytest.raises(geo.InputFileError, match="no-such-rev"):
        diff_since(revision="no-such-rev", layers_dir=repo)
    with pytest.raises(geo.InputFileError, match="exactly one"):
        diff_since(layers_dir=repo)


def test_cli_data_diff_table_and_json(repo, monkeypatch):
    import geo.curated_diff as module

    monkeypatch.setattr(module, "LAYERS_DIR", repo)
    runner = CliRunner(env={"COLUMNS": "250"})
    result = runner.invoke(app, ["data", "diff", "--since", "2026-02-01"])
    assert result.exit_code == 0, result.output
    assert "1 added, 1 removed, 1 status, 1 changed" in result.output
    result = runner.invoke(app, ["data", "diff", "--from", "HEAD~1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {c["id"] for c in payload["changes"]} == {"kz-a", "kz-b", "kz-c"}
    result = runner.invoke(app, ["data", "diff", "--since", "February"])
    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output


def test_events_since_lists_the_worlds_changes_with_sources(repo):
    from geo.curated_diff import curated_now, events_since

    rows = events_since(date(2026, 2, 1), features=curated_now(repo))
    assert [(r["id"], r["date"], r["source"]) for r in rows] == [("kz-a", "2026-03-01", "https://example.org/opened")]
    assert events_since(date(2026, 4, 1), features=curated_now(repo)) == []
    partial = {"l": {"x": {"name": "X", "events": [{"date": "2026", "status": "operating", "source": "s"}]}}}
    assert len(events_since(date(2026, 2, 1), features=partial)) == 1  # a year-only date can fall after


def test_cli_data_diff_events(repo, monkeypatch):
    import geo.curated_diff as module

    monkeypatch.setattr(module, "LAYERS_DIR", repo)
    runner = CliRunner(env={"COLUMNS": "250"})
    result = runner.invoke(app, ["data", "diff", "--since", "2026-02-01", "--events", "--json"])
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in json.loads(result.output)["events"]] == ["kz-a"]
    result = runner.invoke(app, ["data", "diff", "--from", "HEAD", "--events"])
    assert result.exit_code == 1
    assert "--since" in result.output
