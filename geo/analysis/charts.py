"""Charts for reports (PNG), kept apart from the analysis functions, which never plot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.analysis.supply import CAP_PCT, CAVEAT
from geo.errors import ExportError
from geo.paths import atomic_path

__all__ = ["concentration_chart", "left_out_text"]


def left_out_text(left_out: pd.DataFrame) -> str:
    """Return the chart's note: the minerals without a top share, grouped by why."""
    if left_out.empty:
        return "Every mineral in the table is shown."
    why = left_out.groupby("status", sort=True)["mineral"].agg(lambda m: ", ".join(sorted(m)))
    return "Not shown (no top share): " + "; ".join(f"{m} ({status})" for status, m in why.items()) + "."


def concentration_chart(result: pd.DataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a horizontal bar chart of the top producer's share per mineral, with the 60% line."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    data = result.dropna(subset=["top_share_pct"]).sort_values("top_share_pct")
    left_out = result[result["top_share_pct"].isna()]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(data) + 2.0), dpi=150)
    colours = ["#b2182b" if over else "#4393c3" for over in data["exceeds_cap"].fillna(value=False)]
    labels = [f"{m} ({c}, {y})" for m, c, y in zip(data["mineral"], data["top_country"], data["year"], strict=True)]
    ax.barh(labels, data["top_share_pct"], color=colours)
    ca = data["central_asia_share_pct"]
    ax.scatter(ca, labels, marker="D", color="#1b7837", zorder=3, label="Central Asia's share (where listed)")
    ax.axvline(CAP_PCT, color="black", linestyle="--", linewidth=1, label="UK 60% line")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Top producer's share of world production, % (a proxy for UK import shares)")
    ax.legend(loc="lower right", fontsize=8)
    fig.text(0.01, 0.005, f"{left_out_text(left_out)}\n{CAVEAT}", fontsize=6, wrap=True)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path
