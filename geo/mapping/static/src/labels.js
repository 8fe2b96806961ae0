/* Labels: country, water and region names, town names, one label per curated area; decluttered by rank. */
import {el} from "./dom.js";
import {entriesOf} from "./hittest.js";
import {records, visible} from "./state.js";
import {t} from "./words.js";

/* Towns drawn (dot) and named at zoom z: the smallest population of each. */
export function cityThresholds(z) {
  var dot = z <= 4 ? 300000 : z <= 5 ? 100000 : z <= 6 ? 30000 : z <= 7 ? 10000 : 0;
  var name = z <= 4 ? 600000 : z <= 5 ? 250000 : z <= 6 ? 100000 : z <= 7 ? 30000 : z <= 8 ? 10000 : 0;
  return [dot, name];
}

/* The text of an area's label: the feature's name, or how many features lie somewhere in it. */
export function areaLabelText(entries, country) {
  var first = entries[0].item, n = entries.length, countryRow = t("field.country");
  var name = (first.rows || []).filter(function (r) { return r[0] === countryRow; }).map(function (r) { return r[1]; })[0];
  var where = country ? t("label.somewhere_in", {country: name || t("label.this_country")}) : t("label.in_this_area");
  if (n === 1) { return country ? t("label.one_in", {name: first.n, where: where}) : first.n; }
  return t("label.features", {n: n, where: where});
}

/* Sited and town-level features are named from these zooms (where their names do not collide); a user layer
   with a label column from SITE_MINZ.user. */
export var SITE_MINZ = {site: 7, town: 8, user: 6};
/* Site names win a clash with area labels, towns, waters and regions; countries and the lease win over them. */
export var SITE_RANK = 2.2e9;

/* The label of a point drawn for `items` at `latlng` (or null): a curated feature located to its site or town,
   or a feature of a user layer labelled by a column (`labelled`). */
export function siteLabel(items, latlng, labelled) {
  var first = items[0], level = first.f && first.f.location_precision;
  var minz = labelled ? SITE_MINZ.user : SITE_MINZ[level];
  if (minz === undefined) { return null; }
  var name = labelled ? first.l : first.n;
  if (name === undefined || name === null || name === "") { return null; }
  var text = items.length > 1 ? t("label.site_more", {name: name, n: items.length - 1}) : String(name);
  return {at: latlng, text: text, cls: "atlas-label-site", minz: minz, rank: SITE_RANK + (level === "site" ? 1e7 : 0),
    dir: "right", offset: [8, 0]};
}

/* The time labels may take to be placed after a move, in ms; the rest are left out (the lowest ranked). */
export var LABEL_BUDGET_MS = 250;

/* Label definitions, highest rank first (ties keep their order). */
export function byRank(defs) {
  return defs.map(function (d, i) { return {d: d, i: i}; })
    .sort(function (a, b) { return (b.d.rank || 0) - (a.d.rank || 0) || a.i - b.i; })
    .map(function (x) { return x.d; });
}

/* At most `cap` area labels (the highest ranked: the smallest, most specific areas) below zoom `z` < capZoom. */
export var AREA_LABEL_CAP = {cap: 8, below: 7};
export function capAreaLabels(defs, z) {
  if (z >= AREA_LABEL_CAP.below || defs.length <= AREA_LABEL_CAP.cap) { return defs; }
  return defs.slice().sort(function (a, b) { return b.rank - a.rank; }).slice(0, AREA_LABEL_CAP.cap);
}

/* Which boxes ({r: {left, right, top, bottom}, k: rank}) to hide: the higher rank wins a clash. Returns
   the hidden boxes; ties keep their order. */
export function declutterBoxes(boxes) {
  var sorted = boxes.slice().sort(function (a, b) { return b.k - a.k; });
  var kept = [], hidden = [];
  sorted.forEach(function (b) {
    var r = b.r;
    var clash = kept.some(function (k) { return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top; });
    if (clash) { hidden.push(b); } else { kept.push(r); }
  });
  return hidden;
}

/* A permanent label at `latlng`; `onClick` makes it a button. */
function label(latlng, text, cls, minz, rank, onClick, offset, dir) {
  var span = el("span", null, text);
  span.setAttribute("data-at", L.latLng(latlng).lat + "," + L.latLng(latlng).lng);
  span.setAttribute("data-rank", String(rank || 0)); span.setAttribute("data-minz", String(minz || 0));
  var tip = L.tooltip({permanent: true, direction: dir || "center", className: "atlas-label " + cls,
    interactive: false, offset: offset || [0, 0]}).setLatLng(latlng).setContent(span);
  if (onClick) {
    L.DomUtil.addClass(span, "atlas-label-click");
    span.setAttribute("role", "button"); span.tabIndex = 0;
    L.DomEvent.on(span, "click", function (ev) { L.DomEvent.stop(ev); onClick(); });
    L.DomEvent.on(span, "keydown", function (ev) { if (ev.key === "Enter") { onClick(); } });
  }
  return tip;
}

/* Hide the labels that clash with a label of higher rank (one layout for all). */
export function declutter(container) {
  var nodes = Array.prototype.slice.call(container.querySelectorAll(".atlas-label, .atlas-city-label"))
    .filter(function (n) { return n.style.opacity !== "0"; });  /* one on its way out (Leaflet fades them) */
  var rank = function (n) { var s = n.querySelector("[data-rank]"); return s ? Number(s.getAttribute("data-rank")) : 0; };
  nodes.forEach(function (n) { n.style.visibility = ""; });
  var boxes = nodes.map(function (n) { return {n: n, r: n.getBoundingClientRect(), k: rank(n)}; });
  declutterBoxes(boxes).forEach(function (b) { b.n.style.visibility = "hidden"; });
}

/* The labels of one map: made by makeLabels(A) once, then A.labels.drawArea() and A.labels.draw(force). */
export function makeLabels(A) {
  var map = A.map, container = map.getContainer();
  var areaLabelDefs = [], shownLabels = null;
  var labelLayer = L.layerGroup().addTo(map);

  /* One label per area, whatever the layers drawing it: "Valor Carbon…", or "2 features in this area". */
  function drawArea() {
    var byPlace = {}, places = [];
    records(A).forEach(function (rec) {
      if (!visible(A, rec)) { return; }
      (rec.areaLabels || []).forEach(function (a) {
        var key = a.at.lat + "," + a.at.lng + "," + a.country;
        if (!byPlace[key]) { byPlace[key] = {at: a.at, country: a.country, rank: a.rank, entries: []}; places.push(byPlace[key]); }
        byPlace[key].entries = byPlace[key].entries.concat(entriesOf(a.items, rec, a.at));
      });
    });
    areaLabelDefs = places.map(function (pl) {
      return {at: pl.at, text: areaLabelText(pl.entries, pl.country),
        cls: pl.country ? "atlas-area-label atlas-area-country" : "atlas-area-label", minz: 5, rank: pl.rank + 1e9,
        onClick: function () { A.openItems(pl.entries, pl.at); }, offset: pl.country ? [0, 30] : null};
    });
    draw(true);
  }
  /* The labels on screen: those of switched-on layers, for this zoom, in (or near) the view. Few DOM nodes:
     Leaflet measures every tooltip it places, so thousands of hidden labels would cost seconds. */
  function draw(force) {
    var z = map.getZoom(), view = map.getBounds().pad(0.2);
    var defs = capAreaLabels(areaLabelDefs.filter(function (d) { return view.contains(d.at); }), z);
    records(A).forEach(function (rec) { if (visible(A, rec)) { defs = defs.concat(rec.labelDefs || []); } });
    defs = defs.filter(function (d) { return z >= d.minz && view.contains(d.at); });
    var key = z + "|" + defs.map(function (d) { return d.text + "@" + d.at.lat + "," + d.at.lng; }).join("|");
    if (!force && key === shownLabels) { return; }  /* a pan that brings no new label: nothing to place */
    shownLabels = key;
    var old = labelLayer.getLayers().map(function (l) { return l.getElement(); });
    labelLayer.clearLayers();
    old.forEach(function (e) { if (e) { L.DomUtil.remove(e); } });  /* now, not after Leaflet's fade */
    /* highest rank first, within the frame's budget: on a slow machine the least important names wait */
    var started = performance.now();
    byRank(defs).some(function (d) {
      labelLayer.addLayer(label(d.at, d.text, d.cls, d.minz, d.rank, d.onClick, d.offset, d.dir));
      return performance.now() - started > LABEL_BUDGET_MS;
    });
    declutter(container);
  }
  return {drawArea: drawArea, draw: draw};
}
