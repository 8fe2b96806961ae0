/* Hit testing: one answer for hovers and clicks. Every layer is drawn without events of its own; this tests
   all of them at once, so areas under markers, labels and stacked features all stay reachable. The geometry
   is plain functions of points {x, y} (tested under node). */
import {records, visible} from "./state.js";

/* Distance from p to the segment a-b. */
export function segmentDistance(p, a, b) {
  var x = a.x, y = a.y, dx = b.x - x, dy = b.y - y, dot = dx * dx + dy * dy;
  if (dot > 0) {
    var s = ((p.x - x) * dx + (p.y - y) * dy) / dot;
    if (s > 1) { x = b.x; y = b.y; } else if (s > 0) { x += dx * s; y += dy * s; }
  }
  dx = p.x - x; dy = p.y - y;
  return Math.sqrt(dx * dx + dy * dy);
}

/* Whether p lies within `tol` of a line through `parts` (arrays of points); `closed`: rings, not lines. */
export function nearParts(parts, p, tol, closed) {
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    for (var j = 0, len = part.length, k = len - 1; j < len; k = j++) {
      if (!closed && j === 0) { continue; }
      if (segmentDistance(p, part[k], part[j]) <= tol) { return true; }
    }
  }
  return false;
}

/* Whether p is inside the rings `parts` (even-odd: a hole is outside). */
export function insideRings(parts, p) {
  var inside = false;
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    for (var j = 0, len = part.length, k = len - 1; j < len; k = j++) {
      var p1 = part[j], p2 = part[k];
      if (((p1.y > p.y) !== (p2.y > p.y)) && (p.x < (p2.x - p1.x) * (p.y - p1.y) / (p2.y - p1.y) + p1.x)) { inside = !inside; }
    }
  }
  return inside;
}

/* Whether p hits a marker of radius r at `at` (a triangle reaches further than a circle: 1.3 r). */
export function markerHit(at, r, p, tol) {
  var dx = p.x - at.x, dy = p.y - at.y;
  return Math.sqrt(dx * dx + dy * dy) <= r * 1.3 + tol;
}

/* Whether p hits a drawn shape of kind "area" (inside, or near its outline), "outline" or "line". */
export function shapeHit(kind, parts, p, tol) {
  if (kind === "area") { return insideRings(parts, p) || nearParts(parts, p, tol, true); }
  return nearParts(parts, p, tol, kind !== "line");
}

/* The hit tolerance in px: larger for a finger. */
export function tolerance() { return L.Browser.touch && !L.Browser.pointer ? 12 : 5; }

function hitOne(h, p) {
  var lyr = h.lyr;
  if (!lyr._map) { return false; }
  if (h.kind === "marker") { return Boolean(lyr._point) && markerHit(lyr._point, lyr._radius, p, tolerance()); }
  if (!lyr._pxBounds || !lyr._parts) { return false; }
  return shapeHit(h.kind, lyr._parts, p, tolerance() + (lyr.options.weight || 1) / 2);
}

/* Everything under a layer point: markers first (nearest first), then areas; reference names apart;
   packed points unless `withPacked` is false. */
export function hitsAt(A, p, withPacked) {
  var markers = [], areas = [], ref = null, packed = [];
  records(A).reverse().forEach(function (rec) {
    if (!visible(A, rec)) { return; }
    if (rec.kind === "packed") {
      if (withPacked === false) { return; }
      var near = rec.group.hits(p, tolerance() + 1);
      if (near.length) { packed.push({rec: rec, near: near}); }
      return;
    }
    (rec.hits || []).forEach(function (h) {
      if (!hitOne(h, p)) { return; }
      if (h.items) {
        if (h.kind === "marker") { markers.push({h: h, d: p.distanceTo(h.lyr._point), r: h.lyr._radius}); } else { areas.push({h: h}); }
      } else if (!ref || (h.kind === "marker" && ref.kind !== "marker")) { ref = h; }
    });
  });
  markers.sort(function (a, b) { return a.d - b.d; });
  var onMarker = markers.some(function (m) { return m.d <= m.r + 1; });
  return {markers: markers.map(function (m) { return m.h; }), areas: areas.map(function (a) { return a.h; }), ref: ref, packed: packed,
    onMarker: onMarker};
}

export function entriesOf(items, rec, latlng) {
  return items.map(function (it) { return {item: it, rec: rec, latlng: latlng}; });
}

/* The features a hit lists, each once: the markers hit (nearest first), then the areas. A click on a marker's
   own symbol (`hits.onMarker`) lists the markers only; a click that only comes within the tolerance of a
   marker lists the area too, so a click inside an area always offers it. */
export function entriesAt(hits) {
  var list = [], seen = {};
  var hs = hits.markers.length && hits.onMarker ? hits.markers : hits.markers.concat(hits.areas);
  hs.forEach(function (h) {
    h.items.forEach(function (it) {
      var key = h.rec.id + "|" + (it.id || it.n) + "|" + h.latlng.lat + "|" + h.latlng.lng;
      if (!seen[key]) { seen[key] = true; list.push({item: it, rec: h.rec, latlng: h.latlng}); }
    });
  });
  return list;
}
