/* Drawing the layers: reference layers (once; towns thinned by zoom), curated and user layers (again
   whenever the filters change), images and packed points. Nothing here takes events: see hittest.js. */
import {el, svgEl} from "./dom.js";
import {passes} from "./filters.js";
import {cityThresholds, siteLabel} from "./labels.js";
import {pointLayers} from "./points.js";
import {register} from "./state.js";

/* The points of a geometry (Point, MultiPoint), or null. */
export function geometryPoints(geometry) {
  if (geometry.type === "Point") { return [geometry.coordinates]; }
  if (geometry.type === "MultiPoint") { return geometry.coordinates; }
  return null;
}

/* The [[south, west], [north, east]] of a GeoJSON geometry. */
export function geometryExtent(geometry) {
  var s = Infinity, w = Infinity, n = -Infinity, e = -Infinity;
  (function walk(c) {
    if (typeof c[0] === "number") {
      s = Math.min(s, c[1]); n = Math.max(n, c[1]); w = Math.min(w, c[0]); e = Math.max(e, c[0]);
    } else { c.forEach(walk); }
  })(geometry.type === "GeometryCollection" ? geometry.geometries.map(function (g) { return g.coordinates; }) : geometry.coordinates);
  return [[s, w], [n, e]];
}

export function geomBounds(geometry) { return L.latLngBounds(geometryExtent(geometry)); }

/* Leaflet options of a marker of style s (see geo.mapping.payload.feature_style for the keys). */
export function markerOptions(s, renderer) {
  return {renderer: renderer, shape: s.m || "circle", radius: s.r || 5, interactive: false,
    color: s.x ? "#000" : "#fff", weight: s.x ? 2.5 : 1.2, fillColor: s.f || s.c,
    fillOpacity: s.fo === undefined ? 0.85 : s.fo, glyph: s.g || null, glyphInk: s.gi || null};
}

/* Leaflet options of a line or area of style s; `hatch(colour)` gives a hatched fill. */
export function pathOptions(s, renderer, hatch) {
  return {renderer: renderer, interactive: false, color: s.c, weight: s.w === undefined ? 1 : s.w,
    dashArray: s.d || null, opacity: 0.9, lineJoin: "round",
    fillColor: s.h ? hatch(s.c) : (s.f === "none" ? s.c : s.f),
    fillOpacity: s.h ? 1 : (s.fo === undefined ? 0.3 : s.fo), fill: (!!s.f && s.f !== "none") || !!s.h,
    stroke: s.w !== 0};
}

function hatchFactory(svgRenderer) {
  var made = {};
  return function (color) {
    var id = "atlas-hatch-" + String(color).replace(/[^a-zA-Z0-9]/g, "");
    if (!made[id]) {
      var svg = svgRenderer._container;
      var defs = svg.querySelector("defs") || svg.insertBefore(svgEl("defs"), svg.firstChild);
      var p = svgEl("pattern", {id: id, patternUnits: "userSpaceOnUse", width: "9", height: "9",
        patternTransform: "rotate(45)"});  /* fine and light: the ground and the sites inside stay readable */
      p.appendChild(svgEl("line", {x1: "0", y1: "0", x2: "0", y2: "9", stroke: color, "stroke-width": "1.6",
        "stroke-opacity": "0.5"}));
      defs.appendChild(p); made[id] = true;
    }
    return "url(#" + id + ")";
  };
}

/* A map pane (created once) at z-index z; `noHit`: the browser never targets it (hit testing does). */
export function pane(map, name, z, noHit) {
  var p = map.getPane(name) || map.createPane(name);
  p.style.zIndex = z;
  if (noHit) { L.DomUtil.addClass(p, "atlas-nohit"); }
  return p;
}

/* The shared renderers: SVG areas, canvas markers, SVG choropleth fills. */
export function makeRenderers(A) {
  var map = A.map;
  var svgAreas = L.svg({padding: 0.5});
  map.addLayer(svgAreas);
  pane(map, "atlasPoints", 450, true);
  var canvasPoints = L.canvas({padding: 0.5, pane: "atlasPoints"});
  pane(map, "atlasFills", 301, true);
  var svgFills = L.svg({padding: 0.5, pane: "atlasFills"});
  map.addLayer(svgFills);
  L.DomUtil.addClass(map.getPane("overlayPane"), "atlas-nohit");
  A.renderers = {svgAreas: svgAreas, canvasPoints: canvasPoints, svgFills: svgFills, hatch: hatchFactory(svgAreas)};
  return A.renderers;
}

function entriesOfPoint(items, rec, latlng) {
  return items.map(function (it) { return {item: it, rec: rec, latlng: latlng}; });
}

/* A curated or user layer: (re)drawn from its features, keeping only the items that pass the filters. */
export function drawVector(A, rec) {
  var meta = rec.meta, group = rec.group, curated = rec.kind === "curated", R = A.renderers;
  var ShapeMarker = pointLayers().ShapeMarker;
  group.clearLayers(); rec.hits = []; rec.shown = []; rec.drawn = 0; rec.areaLabels = []; rec.hatched = []; rec.labelDefs = [];
  meta.fc.features.forEach(function (f) {
    var p = f.properties, s = p._s, items = p._items || [];
    var keep = curated ? items.filter(function (it) { return passes(it, A.filter); }) : items;
    if (!keep.length || !f.geometry) { return; }
    rec.drawn += 1;
    keep.forEach(function (it) { rec.shown.push(it); });
    var pts = geometryPoints(f.geometry);
    if (pts) {
      pts.forEach(function (c) {
        var ll = L.latLng(c[1], c[0]), m = new ShapeMarker(ll, markerOptions(s, R.canvasPoints));
        if (s.u) {
          group.addLayer(L.circle(ll, {renderer: R.svgAreas, radius: s.u, color: s.c, weight: 1, dashArray: "4 4",
            fillOpacity: 0.06, interactive: false}));
        }
        group.addLayer(m);
        rec.hits.push({lyr: m, kind: "marker", items: keep, latlng: ll, rec: rec});
        var def = siteLabel(keep, ll, rec.meta.label);
        if (def) { def.onClick = function () { A.openItems(entriesOfPoint(keep, rec, ll), ll); }; rec.labelDefs.push(def); }
      });
      return;
    }
    var renderer = s.ch ? R.svgFills : R.svgAreas;
    var shape = L.GeoJSON.geometryToLayer(f, {});
    var parts = shape.eachLayer ? shape.getLayers() : [shape];
    parts.forEach(function (part) {
      L.setOptions(part, pathOptions(s, renderer, R.hatch));
      if (s.h) { rec.hatched.push({lyr: part, items: keep, fill: part.options.fillOpacity, weight: part.options.weight, thin: false}); }
      group.addLayer(part);
      var line = part instanceof L.Polyline && !(part instanceof L.Polygon);
      rec.hits.push({lyr: part, kind: s.a ? "outline" : line ? "line" : "area", items: keep,
        latlng: p._lbl ? L.latLng(p._lbl) : part.getBounds().getCenter(), rec: rec});
    });
    if (p._lbl) { rec.areaLabels.push({at: L.latLng(p._lbl), items: keep, country: !!s.a, rank: p._rank || 1e9}); }
  });
}

/* Which names win a clash: countries, the lease, the curated areas (2e9 up), neighbours, water, towns by
   population, regions; and the zoom from which each kind of name shows. */
var LABEL_MINZ = {country: 3, neighbour: 4, water: 5, region: 6, lease: 6};
var LABEL_RANK = {country: 3e9, lease: 2.5e9, neighbour: 1.8e9, water: 1.5e9, region: 1e6};

/* A reference layer: drawn once; towns are thinned by zoom and population. */
export function drawReference(A, rec) {
  var meta = rec.meta, group = rec.group, map = A.map;
  group.clearLayers(); rec.hits = []; rec.drawn = 0; rec.labelDefs = [];
  var isCities = meta.id === "cities", th = cityThresholds(map.getZoom());
  meta.fc.features.forEach(function (f) {
    var p = f.properties, s = p._s || {};
    if (p._lbl) {
      var cls = p._lc || "water";
      rec.labelDefs.push({at: L.latLng(p._lbl), text: p._ln || p._t || "", cls: "atlas-label-" + cls,
        minz: LABEL_MINZ[cls] || 5, rank: LABEL_RANK[cls] || 0});
    }
    if (!f.geometry) { return; }
    rec.drawn += 1;
    var pts = geometryPoints(f.geometry);
    if (pts) {
      if (isCities && (p._p || 0) < th[0]) { return; }
      var ll = L.latLng(pts[0][1], pts[0][0]);
      var m = L.circleMarker(ll, {renderer: rec.canvas, radius: s.r || 2, color: s.c, weight: s.w || 0.8,
        fillColor: s.f || "#fff", fillOpacity: s.fo === undefined ? 1 : s.fo, interactive: false});
      if (isCities && (p._p || 0) >= th[1]) {
        var span = el("span", null, String(p._t || "").replace(/ \([\d,]+\)$/, ""));
        span.setAttribute("data-rank", String(p._p || 0));
        m.bindTooltip(span, {permanent: true, direction: "right", className: "atlas-city-label", offset: [3, 0]});
      }
      group.addLayer(m);
      rec.hits.push({lyr: m, kind: "marker", title: p._t, rec: rec});
      return;
    }
    if (A.data.tiles && meta.id === "countries") { s = Object.assign({}, s, {fo: Math.min(s.fo || 0, 0.15)}); }  /* tiles show */
    var shape = L.GeoJSON.geometryToLayer(f, {});
    (shape.eachLayer ? shape.getLayers() : [shape]).forEach(function (part) {
      L.setOptions(part, pathOptions(s, rec.svg, A.renderers.hatch));
      group.addLayer(part);
      var line = part instanceof L.Polyline && !(part instanceof L.Polygon);
      if (p._t) { rec.hits.push({lyr: part, kind: line ? "line" : (s.f === "none" ? "outline" : "area"), title: p._t, rec: rec}); }
    });
  });
}

/* Every layer of the payload: the basemap, images, then the overlays (curated, user, packed). */
export function buildLayers(A) {
  var map = A.map, data = A.data;
  data.basemap.forEach(function (meta, i) {
    var rec = register(A, meta, "reference", "reference");
    var name = "atlasBase" + i;
    pane(map, name, 300 + 2 * i, true);  /* fills (choropleths) go right above the countries */
    rec.svg = L.svg({padding: 0.5, pane: name}); rec.canvas = L.canvas({padding: 0.5, pane: name});
    rec.group = L.featureGroup(); drawReference(A, rec);
    if (meta.visible) { rec.group.addTo(map); }
  });
  (data.images || []).forEach(function (img, i) {
    var name = "atlasImage" + i, p = pane(map, name, img.blend ? 380 : 390 + i, true);
    if (img.blend) { p.style.mixBlendMode = img.blend; }
    var meta = {id: "image-" + i, title: img.title, legend: img.legend || [], visible: true, count: 1};
    var rec = register(A, meta, "image", img.group || "reference");
    rec.group = L.imageOverlay(img.url, img.bounds, {opacity: img.opacity || 0.6, interactive: false, pane: name});
    rec.group.addTo(map);
  });
  data.overlays.forEach(function (meta) {
    var kind = meta.kind === "packed" ? "packed" : meta.style;
    var rec = register(A, meta, kind, kind === "curated" || kind === "choropleth" ? "curated" : kind === "reference" ? "reference" : "user");
    if (kind === "packed") {
      pane(map, "atlasPacked", 440, true);
      rec.group = new (pointLayers().PackedPoints)(meta.packed);
      rec.group.options.pane = "atlasPacked";
    } else {
      rec.group = L.featureGroup(); drawVector(A, rec);
    }
    if (meta.visible) { rec.group.addTo(map); }
  });
}
