/* The panel: layers, filter and time, legend, features without a location; and refresh(), which brings
   the counts, the legend and the labels up to date after any change. */
import {clear, el} from "./dom.js";
import {activeFilters, buildFacet, passes} from "./filters.js";
import {showItemIn} from "./popups.js";
import {records, visible} from "./state.js";
import {RECEDE_ZOOM} from "./recede.js";
import {precisionLevels, precisionSwatch, swatch} from "./symbols.js";
import {buildWhen} from "./time.js";
import {num, t} from "./words.js";

function section(title, open, cls) {
  var d = el("details", "atlas-section " + (cls || ""));
  d.open = !!open;
  var s = el("summary", null, title);
  d.appendChild(s);
  var body = el("div", "atlas-section-body");
  d.appendChild(body);
  return {details: d, summary: s, body: body};
}

/* The panel control (not yet on the map): a toggle and a body. */
function buildPanelControl() {
  var ctl = L.control({position: "topright"});
  var root = el("div", "atlas-panel leaflet-control");
  L.DomEvent.disableClickPropagation(root); L.DomEvent.disableScrollPropagation(root);
  var toggle = el("button", "atlas-panel-toggle", t("panel.show"));
  toggle.type = "button"; toggle.setAttribute("aria-expanded", "true");
  var body = el("div", "atlas-panel-body");
  root.appendChild(toggle); root.appendChild(body);
  toggle.addEventListener("click", function () { setOpen(L.DomUtil.hasClass(root, "atlas-collapsed")); });
  function setOpen(open) {
    L.DomUtil[open ? "removeClass" : "addClass"](root, "atlas-collapsed");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? t("panel.hide") : t("panel.show");
  }
  ctl.onAdd = function () { return root; };
  return {ctl: ctl, root: root, body: body, setOpen: setOpen};
}

function layerRow(A, rec) {
  var row = el("label", "atlas-layer-row"), box = el("input");
  box.type = "checkbox"; box.checked = visible(A, rec);
  box.addEventListener("change", function () {
    if (box.checked) { A.map.addLayer(rec.group); } else { A.map.removeLayer(rec.group); }
    A.refresh();
  });
  row.appendChild(box);
  var first = (rec.meta.legend || [])[0];
  if (first && rec.kind !== "image") { row.appendChild(swatch(rec.kind === "curated" ? {shape: rec.meta.marker, color: "#666"} : first)); }
  row.appendChild(el("span", "atlas-layer-title", rec.meta.title));
  var count = el("span", "atlas-count");
  row.appendChild(count);
  rec.row = row; rec.box = box; rec.countNode = count;
  return row;
}

var GROUPS = ["curated", "user", "reference"];

/* The panel and its sections, with the layer rows and the filter controls; stored as A.panel. */
export function buildPanel(A) {
  var panel = buildPanelControl();
  panel.layers = section(t("panel.layers"), true, "atlas-layers");
  panel.filter = section(t("panel.filter"), false, "atlas-filter");
  panel.legend = section(t("panel.legend"), true, "atlas-legend");
  panel.unknown = section(t("panel.unknown"), false, "atlas-unknown");
  [panel.layers, panel.filter, panel.legend, panel.unknown].forEach(function (s) { panel.body.appendChild(s.details); });
  GROUPS.forEach(function (g) {
    var recs = records(A).filter(function (r) { return r.groupName === g; });
    if (!recs.length) { return; }
    panel.layers.body.appendChild(el("div", "atlas-group", t("panel.group." + g)));
    recs.forEach(function (r) { panel.layers.body.appendChild(layerRow(A, r)); });
  });
  if (A.data.tiles) { panel.layers.body.appendChild(el("div", "atlas-note", t("panel.tiles"))); }
  A.panel = panel;
  return panel;
}

/* The filter section's controls: summary, time, one facet per field, reset. */
export function buildFilters(A) {
  var panel = A.panel, body = panel.filter.body;
  panel.summary = el("div", "atlas-filter-summary");
  body.appendChild(panel.summary);
  panel.when = buildWhen(A);
  body.appendChild(panel.when.node);
  panel.facets = (A.data.facets || []).map(function (fd) { var u = buildFacet(A, fd); body.appendChild(u.node); return u; });
  var reset = el("button", "atlas-reset", t("filter.reset"));
  reset.type = "button";
  reset.addEventListener("click", function () { A.setFilter({}, {mode: "any"}); });
  body.appendChild(reset);
}

function legendRows(rec, counts) {
  var sec = el("div", "atlas-legend-section");
  sec.setAttribute("data-layer", rec.id);
  sec.appendChild(el("div", "atlas-legend-layer", rec.meta.title));
  (rec.meta.legend || []).forEach(function (e) {
    var row = el("div", "atlas-legend-row"), n = counts ? (counts[e.key] || 0) : null;
    if (counts && !n) { L.DomUtil.addClass(row, "atlas-zero"); }
    row.appendChild(swatch(e)); row.appendChild(el("span", null, e.label));
    if (n !== null && e.key !== undefined) { row.appendChild(el("span", "atlas-count", t("count", {n: n}))); }
    sec.appendChild(row);
  });
  if (rec.meta.note) { sec.appendChild(el("div", "atlas-note", rec.meta.note)); }
  return sec;
}

/* Items per legend category among the items shown (an item may count in two: its category and "_critical"). */
export function legendCounts(shown) {
  var counts = {};
  shown.forEach(function (it) {
    [].concat(it.c === undefined ? [] : it.c).forEach(function (k) { counts[k] = (counts[k] || 0) + 1; });
  });
  return counts;
}

function unknownShown(A) { return A.items.filter(function (x) { return x.unknown && visible(A, x.rec) && passes(x.it, A.filter); }); }

function drawLegend(A) {
  var body = clear(A.panel.legend.body), precisions = {};
  records(A).forEach(function (rec) {
    if (!visible(A, rec) || !(rec.meta.legend || []).length) { return; }
    var counts = null;
    if (rec.kind === "curated" || (rec.kind === "user" && rec.meta.legend[0] && rec.meta.legend[0].key !== undefined)) {
      counts = legendCounts(rec.shown);
    }
    body.appendChild(legendRows(rec, counts));
    if (rec.kind === "curated") {
      rec.shown.forEach(function (it) { var k = it.f && it.f.location_precision; if (k) { precisions[k] = rec.meta.precision_labels || {}; } });
    }
  });
  var levels = precisionLevels(), keys = Object.keys(levels).filter(function (k) { return precisions[k]; });
  if (unknownShown(A).length) { keys.push("unknown"); }
  if (keys.length) {
    var sec = el("div", "atlas-legend-section atlas-legend-precision");
    sec.appendChild(el("div", "atlas-legend-layer", t("legend.precision")));
    keys.forEach(function (k) {
      var row = el("div", "atlas-legend-row"), labels = precisions[k] || {};
      row.setAttribute("data-precision", k);
      row.appendChild(precisionSwatch(k)); row.appendChild(el("span", null, labels[k] || (levels[k] || {}).legend));
      sec.appendChild(row);
      if ((levels[k] || {}).symbol === "hatch") {  /* how it is drawn closer in (recede.js) */
        sec.appendChild(el("div", "atlas-note atlas-legend-recede", t("legend.recede", {zoom: RECEDE_ZOOM})));
      }
    });
    body.appendChild(sec);
  }
  if (!body.firstChild) { body.appendChild(el("div", "atlas-note", t("legend.empty"))); }
}

function drawUnknown(A) {
  var sec = A.panel.unknown, list = unknownShown(A), body = clear(sec.body);
  sec.summary.textContent = t("unknown.summary", {n: list.length});
  sec.details.style.display = A.items.some(function (x) { return x.unknown; }) ? "" : "none";
  var ul = el("ul"), detail = el("div", "atlas-unknown-detail");
  list.forEach(function (x) {
    var li = el("li"), a = el("button", "atlas-linklike", t("unknown.entry", {name: x.it.n, layer: x.rec.meta.title}));
    a.type = "button";
    a.addEventListener("click", function () { showItemIn(detail, x.it); });
    li.appendChild(a); ul.appendChild(li);
  });
  body.appendChild(ul); body.appendChild(detail);
}

/* Bring the panel, the legend and the labels up to date. */
export function refresh(A) {
  var total = 0, shown = 0, panel = A.panel;
  records(A).forEach(function (rec) {
    if (!rec.countNode) { return; }
    if (rec.kind === "curated") {
      var all = A.items.filter(function (x) { return x.rec === rec; }).length;
      total += A.items.filter(function (x) { return x.rec === rec && !x.unknown; }).length;
      shown += rec.shown.length;
      var listed = rec.shown.length + A.items.filter(function (x) { return x.rec === rec && x.unknown && passes(x.it, A.filter); }).length;
      rec.countNode.textContent = " " + t("count", {n: listed === all ? all : t("filter.n_of", {n: listed, total: all})});
    } else if (rec.kind !== "image") {
      rec.countNode.textContent = " " + t("count", {n: num(rec.meta.count)});
    }
    rec.box.checked = visible(A, rec);
  });
  var active = activeFilters(A.filter), text = t("filter.summary", {n: total, shown: shown});
  panel.summary.textContent = active ? t("filter.summary_active", {summary: text, n: active}) : text;
  panel.filter.summary.textContent = active ? t("panel.filter_active", {n: active}) : t("panel.filter");
  panel.when.sync();
  panel.facets.forEach(function (u) { u.sync(); });
  A.labels.drawArea(); drawLegend(A); drawUnknown(A);
}
