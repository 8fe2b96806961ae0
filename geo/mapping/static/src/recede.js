/* Areas that recede as you zoom in: the hatching of an area known only to a region thins to its outline once
   it fills much of the view, or from RECEDE_ZOOM on, so the sites inside it and the ground stay readable; it
   comes back while the area is hovered or selected (its popup open), or while a filter is set. The rule is
   plain functions (tested under node); recede(A) applies it to the map after a zoom, a pan or a change. */
import {records, visible} from "./state.js";

/* From this zoom the hatching of every region-wide area is drawn as its outline (the legend says so). */
export var RECEDE_ZOOM = 9;
/* ... and before it, once the area's box covers this share of the view. */
export var RECEDE_SHARE = 0.4;

/* The share of a view `size` ({x, y}) covered by a box {left, top, right, bottom} in the same pixels. */
export function viewShare(box, size) {
  var w = Math.min(box.right, size.x) - Math.max(box.left, 0), h = Math.min(box.bottom, size.y) - Math.max(box.top, 0);
  return w > 0 && h > 0 ? (w * h) / (size.x * size.y) : 0;
}

/* Whether an area's hatching recedes to its outline at zoom z, covering `share` of the view; `lit`: hovered,
   selected or filtered for, so drawn in full. */
export function hatchRecedes(z, share, lit) {
  if (lit) { return false; }
  return z >= RECEDE_ZOOM || share >= RECEDE_SHARE;
}

/* Whether any filter facet is set (a filtered map shows what it kept in full). */
export function filtering(filter) {
  return Object.keys(filter.sel || {}).some(function (k) { return filter.sel[k] && filter.sel[k].size > 0; });
}

/* Whether one of `items` is among the lit ones (an object keyed by item id or name). */
function isLit(lit, items) {
  return items.some(function (it) { return lit[it.id || it.n]; });
}

/* Apply the rule to every hatched area drawn (rec.hatched: [{lyr, items, fill}]); only changes restyle. */
export function recede(A) {
  var map = A.map, z = map.getZoom(), size = map.getSize(), lit = A.lit || {}, all = filtering(A.filter);
  var origin = map.containerPointToLayerPoint([0, 0]);
  records(A).forEach(function (rec) {
    if (!rec.hatched || !visible(A, rec)) { return; }
    rec.hatched.forEach(function (h) {
      var b = h.lyr._pxBounds;
      if (!b) { return; }
      var box = {left: b.min.x - origin.x, top: b.min.y - origin.y, right: b.max.x - origin.x, bottom: b.max.y - origin.y};
      var thin = hatchRecedes(z, viewShare(box, size), all || isLit(lit, h.items));
      if (thin === h.thin) { return; }
      h.thin = thin;
      h.lyr.setStyle(thin ? {fillOpacity: 0, weight: 1.5} : {fillOpacity: h.fill, weight: h.weight});
      if (h.lyr._path) { h.lyr._path.setAttribute("data-receded", thin ? "1" : "0"); }
    });
  });
}

/* Light the areas of `items` (hover or selection), putting out the others; `key`: "hover" or "selected". */
export function light(A, key, items) {
  A.lighting = A.lighting || {hover: {}, selected: {}};
  var next = {};
  (items || []).forEach(function (it) { next[it.id || it.n] = true; });
  if (Object.keys(next).join("|") === Object.keys(A.lighting[key]).join("|")) { return; }
  A.lighting[key] = next;
  A.lit = Object.assign({}, A.lighting.hover, A.lighting.selected);
  recede(A);
}
