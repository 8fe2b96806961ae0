/* centralasia-geo atlas: draws the layers geo embeds as JSON (geo/mapping/builder.py). The entry point:
   geoAtlas(map, data) wires the modules together and returns window.atlas, the page's public handle (the
   map, its layers and state) for tests and for embedding. Symbols and words arrive in `data`. */
import {el} from "./dom.js";
import {passes} from "./filters.js";
import {entriesAt, hitsAt} from "./hittest.js";
import {cityThresholds, makeLabels} from "./labels.js";
import {buildLayers, drawReference, drawVector, makeRenderers} from "./layers.js";
import {buildFilters, buildPanel, refresh} from "./panel.js";
import {bindPointer, openItems} from "./popups.js";
import {recede} from "./recede.js";
import {buildSearch} from "./search.js";
import {collectItems, createState, records} from "./state.js";
import {checkPayloadSymbols, setSymbols} from "./symbols.js";
import {setWords} from "./words.js";

/* The title bar above the map, and the first view, before any layer (layers are then placed once). */
function firstView(map, data) {
  var container = map.getContainer();
  L.DomUtil.addClass(container, "atlas-map");
  var bar = el("div", "atlas-titlebar"), titleNode = el("div", "atlas-title", data.title || "");
  titleNode.title = data.title || "";
  bar.appendChild(titleNode);
  container.parentNode.insertBefore(bar, container);
  L.DomUtil.addClass(document.body, "atlas-page");
  map.invalidateSize({animate: false});
  var size = map.getSize();
  if (data.bounds) {  /* leave room for the panel, open from 900 px wide */
    var right = size.x >= 900 ? Math.min(312, size.x / 3) : 10;
    /* every country whole, at every size (zoomSnap 0.5 rounds down: the bounds always fit) */
    map.fitBounds(data.bounds, {animate: false, paddingTopLeft: [size.x < 600 ? 4 : 50, 4], paddingBottomRight: [right, 4]});
  }
  return {bar: bar, size: size};
}

function miniMap(map, data, size) {
  if (data.minimap && L.Control.MiniMap && size.x >= 900 && size.y >= 600) {
    var mini = L.geoJSON(data.minimap, {interactive: false,
      style: function (f) { var s = f.properties._s || {}; return {color: "#666", weight: 0.5, fillColor: s.f || "#f4f1ea", fillOpacity: 1}; }});
    var ctl = new L.Control.MiniMap(mini, {toggleDisplay: true, position: "bottomleft", zoomLevelOffset: -4, width: 130, height: 100});
    /* The minimap moves the map only when the reader moves the minimap: following the map itself, it would
       set the map back to a stale centre after two quick moves (a popup's pan into view undone). */
    var byReader = false, follow = ctl._onMiniMapMoved;
    ctl._onMiniMapMoved = function (e) {
      if (!byReader) { this._mainMapMoving = false; return; }
      byReader = false;
      follow.call(this, e);
    };
    ctl.addTo(map);
    if (ctl._miniMap) { ctl._miniMap.on("dragstart", function () { byReader = true; }); }
  }
}

/* After a zoom: towns thinned again (when the zoom crosses a threshold) and labels placed again; after a pan,
   labels placed again if new ones came into view. */
function bindZoom(A) {
  var map = A.map, lastCityZoom = map.getZoom();
  map.on("zoomend", function () {
    var z = map.getZoom(), rec = A.layers.cities;
    if (rec && String(cityThresholds(z)) !== String(cityThresholds(lastCityZoom))) { drawReference(A, rec); }
    lastCityZoom = z;
  });
  map.on("zoomend", function () { A.labels.draw(true); });
  map.on("moveend", function () { recede(A); A.labels.draw(false); });
}

/* The public handle: window.atlas. */
function handle(A) {
  var atlas = {map: A.map, layers: {}, search: A.search, data: A.data, state: A, ready: A.ready,
    setFilter: A.setFilter, openItems: A.openItems, panel: A.panel,
    hitsAt: function (p, withPacked) { return hitsAt(A, p, withPacked); },
    entriesAt: entriesAt,
    counts: function () {
      var out = {};
      records(A).forEach(function (rec) {
        out[rec.id] = rec.kind === "packed" ? rec.group._n : rec.kind === "image" ? 1 : rec.drawn;
      });
      return out;
    },
    shown: function () {
      var out = {};
      records(A).forEach(function (rec) { if (rec.kind === "curated") { out[rec.id] = rec.shown.length; } });
      return out;
    }};
  A.order.forEach(function (id) { atlas.layers[id] = A.layers[id].group; });
  return atlas;
}

export function geoAtlas(map, data) {
  var started = performance.now();
  setWords(data.words, data.lang);
  setSymbols(data.symbols);
  checkPayloadSymbols(data);
  var A = createState(map, data);
  map.options.zoomSnap = 0.25;
  var view = firstView(map, data), size = view.size;

  /* the hooks modules call one another through */
  A.apply = function () {
    records(A).forEach(function (rec) { if (rec.kind === "curated") { drawVector(A, rec); } });
    map.closePopup();
    A.refresh();
  };
  A.refresh = function () { refresh(A); recede(A); };
  A.openItems = function (entries, latlng, heading) { return openItems(A, entries, latlng, heading); };
  /* Set every filter at once: `sel` maps a facet to the values to keep; `time` is {mode, on, from, to}. */
  A.setFilter = function (sel, time) {
    A.filter.sel = {};
    Object.keys(sel || {}).forEach(function (k) { A.filter.sel[k] = new Set(sel[k]); });
    A.filter.time = Object.assign({}, A.filter.time, {mode: "any"}, time || {});
    A.apply();
  };
  A.passes = function (it, skip) { return passes(it, A.filter, skip); };

  makeRenderers(A);
  A.labels = makeLabels(A);
  buildLayers(A);
  bindPointer(A);
  bindZoom(A);

  var panel = buildPanel(A);
  A.items = collectItems(A);
  buildFilters(A);
  view.bar.appendChild(buildSearch(A));

  panel.ctl.addTo(map);
  panel.setOpen(size.x >= 900);
  if (size.y < 760) { panel.layers.details.open = false; }
  miniMap(map, data, size);
  A.refresh();
  A.ready = Promise.all(A.order.map(function (id) { return A.layers[id].group.ready || Promise.resolve(); })).then(function () { return true; });

  window.atlas = handle(A);
  window.atlas.initMs = performance.now() - started;
  return window.atlas;
}

window.geoAtlas = geoAtlas;
