/* The atlas's state: one object shared by the modules, created once per map. Modules never keep map state of
   their own; they read and write this object, and call one another's entry points through its hooks
   (A.apply, A.refresh, A.openItems), so no module imports one that imports it back. */
import {thisMonth} from "./time.js";

/* A fresh state for `map` drawing `data`. */
export function createState(map, data) {
  return {
    map: map,
    data: data,
    layers: {},   /* id -> record: {id, meta, kind, groupName, group, hits, shown, drawn, ...} */
    order: [],    /* layer ids, bottom first */
    search: [],   /* the search index, built on first use */
    items: [],    /* every curated item and every item without a location: {it, rec, unknown} */
    filter: {sel: {}, time: {mode: "any", on: thisMonth(), from: null, to: null}},
    popup: null,  /* the one popup (popups.js) */
    renderers: null,  /* {svgAreas, canvasPoints, svgFills, hatch} (layers.js) */
    labels: null,     /* {drawArea, draw} (labels.js) */
    panel: null,      /* the panel and its sections (panel.js) */
    ready: null,      /* resolves when every layer is drawn (packed points inflate) */
    apply: null,      /* hooks, set by atlas.js: redraw after a filter change */
    refresh: null,    /* bring the panel, legend and labels up to date */
    openItems: null,  /* open the popup of one feature or a list */
    setFilter: null,
    passes: null
  };
}

/* Add a layer record. */
export function register(A, meta, kind, groupName) {
  var rec = {id: meta.id, meta: meta, kind: kind, groupName: groupName, hits: [], shown: [], drawn: 0};
  A.layers[meta.id] = rec;
  A.order.push(meta.id);
  return rec;
}

/* The layer records in drawing order. */
export function records(A) { return A.order.map(function (id) { return A.layers[id]; }); }

/* Whether a layer is switched on. */
export function visible(A, rec) { return A.map.hasLayer(rec.group); }

/* Every curated item with its layer, and the items of any layer that have no location. */
export function collectItems(A) {
  var out = [];
  records(A).forEach(function (rec) {
    if (rec.kind !== "curated") { return; }
    rec.meta.fc.features.forEach(function (f) { (f.properties._items || []).forEach(function (it) { out.push({it: it, rec: rec}); }); });
    (rec.meta.unknown || []).forEach(function (u) { out.push({it: u.item, rec: rec, unknown: true}); });
  });
  A.data.overlays.forEach(function (meta) {
    if (meta.style === "curated") { return; }
    (meta.unknown || []).forEach(function (u) { out.push({it: u.item, rec: A.layers[meta.id], unknown: true}); });
  });
  return out;
}
