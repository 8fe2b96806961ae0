"""Analysis for notebooks: proximity with uncertainty, overlaps and summaries, supply concentration.

Every function takes GeoDataFrames (or tables) and returns GeoDataFrames or tables; none plots,
prints or writes files. Distances are geodesic metres and areas hectares, whatever the input CRS.
"""

from geo.analysis.overlay import overlaps, summarize
from geo.analysis.proximity import nearest, within_distance
from geo.analysis.supply import CAP_PCT, concentration, production

__all__ = ["CAP_PCT", "concentration", "nearest", "overlaps", "production", "summarize", "within_distance"]
