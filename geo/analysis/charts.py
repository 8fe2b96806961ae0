"""Charts for reports (PNG), kept apart from the analysis functions, which never plot."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.analysis.supply import CAP_PCT, CAVEAT
from geo.errors import ExportError
from geo.outputs import atomic_path

__all__ = ["TITLE", "concentration_chart", "date_text", "left_out_text", "source_text"]

#: The chart's title.
TITLE = "Top producer's share of world production per mineral, against the UK's 60% line"
_PUBLISHER_END = re.compile(r",|\s\(|\s-\s")


def date_text(shown: pd.DataFrame) -> str:
    """Return the chart's date line: the years of the figures drawn (the latest year per mineral)."""
    years = sorted({int(y) for y in shown["year"].dropna()})
    if not years:
        return "No dated figures."
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return f"Figures for {span} (the latest year the production table has for each mineral)."


def source_text(shown: pd.DataFrame) -> str:
    """Return the chart's source line: the publishers of the figures drawn, each once, and the table they are in."""
    publishers = dict.fromkeys(
        _PUBLISHER_END.split(part.strip(), maxsplit=1)[0].strip()
        for text in shown["sources"].dropna()
        for part in str(text).split(";")
        if part.strip()
    )
    return (
        f"Sources: {'; '.join(publishers) or 'none'}. Compiled in centralasia-geo layers/tables/production.csv, "
        "each row with its source and URL."
    )


def left_out_text(left_out: pd.DataFrame) -> str:
    """Return the chart's note: the minerals without a top share, grouped by why."""
    if left_out.empty:
        return "Every mineral in the table is shown."
    why = left_out.groupby("status", sort=True)["mineral"].agg(lambda m: ", ".join(sorted(m)))
    return "Not shown (no top share): " + "; ".join(f"{m} ({status})" for status, m in why.items()) + "."


def concentration_chart(result: pd.DataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a horizontal bar chart of the top producer's share per mineral, with the 60% line.

    The chart carries its title, the years of the figures drawn and a source line naming their publishers.
    """
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    data = result.dropna(subset=["top_share_pct"]).sort_values("top_share_pct")
    left_out = result[result["top_share_pct"].isna()]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(data) + 3.0), dpi=150)
    colours = ["#b2182b" if over else "#4393c3" for over in data["exceeds_cap"].fillna(value=False)]
    labels = [f"{m} ({c}, {y})" for m, c, y in zip(data["mineral"], data["top_country"], data["year"], strict=True)]
    ax.barh(labels, data["top_share_pct"], color=colours)
    ca = data["central_asia_share_pct"]
    ax.scatter(ca, labels, marker="D", color="#1b7837", zorder=3, label="Central Asia's share (where listed)")
    ax.axvline(CAP_PCT, color="black", linestyle="--", linewidth=1, label="UK 60% line")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Top producer's share of world production, % (a proxy for UK import shares)")
    ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(TITLE, fontsize=11, fontweight="bold", x=0.01, ha="left")
    ax.set_title(date_text(data), fontsize=8, loc="left")
    notes = f"{source_text(data)}\n{left_out_text(left_out)}\n{CAVEAT}"
    fig.text(0.01, 0.005, notes, fontsize=6, wrap=True, va="bottom")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path
