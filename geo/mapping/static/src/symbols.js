/* Symbols as data: marker shapes (geo.symbology.MARKER_SHAPES) and location-precision symbols
   (geo.precision) arrive in the payload and are drawn by name here. A name without a drawing is an error:
   nothing falls back to a circle. */
import {svgEl} from "./dom.js";

var symbols = null;

/* Install the symbols of the page: {markers: {name: {kind: "circle"} | {kind: "polygon", points: [[x, y]...]}},
   precision: {level: {symbol, legend, r, fo}}}. Every marker is checked now, so a bad entry fails at once. */
export function setSymbols(data) {
  Object.keys(data.markers || {}).forEach(function (name) { checkShape(name, data.markers[name]); });
  Object.keys(data.glyphs || {}).forEach(function (name) { glyphDrawing(data.glyphs[name].kind, name); });
  symbols = data;
}

/* The glyphs of the UK-critical minerals (geo.symbology.CRITICAL_GLYPHS), by kind: each draws on a canvas
   and as SVG. A kind without a drawing is an error. */
var GLYPH_DRAWINGS = {
  text: {
    canvas: function (ctx, g, x, y, r, ink) {
      var size = Math.max(7, Math.round(r * (g.text.length > 2 ? 0.85 : g.text.length > 1 ? 1.05 : 1.3)));
      ctx.font = "700 " + size + "px system-ui, sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillStyle = ink || "#000";
      ctx.fillText(g.text, x, y + 0.5);
    },
    svg: function (svg, g, x, y, r, ink) {
      var size = Math.max(7, Math.round(r * (g.text.length > 2 ? 0.85 : g.text.length > 1 ? 1.05 : 1.3)));
      var node = svgEl("text", {x: String(x), y: String(y + 0.5), "text-anchor": "middle", "dominant-baseline": "central",
        "font-size": String(size), "font-weight": "700", "font-family": "system-ui, sans-serif", fill: ink || "#000"});
      node.textContent = g.text;
      svg.appendChild(node);
    }
  }
};

/* The drawing of glyph kind `kind` (of glyph `name`); an unknown kind is an error. */
export function glyphDrawing(kind, name) {
  if (!Object.prototype.hasOwnProperty.call(GLYPH_DRAWINGS, kind)) {
    throw new Error("atlas: glyph " + JSON.stringify(name) + " has kind " + JSON.stringify(kind) + " with no drawing; known: " +
      Object.keys(GLYPH_DRAWINGS).join(", "));
  }
  return GLYPH_DRAWINGS[kind];
}

/* The glyph `name` ({kind, text, label}); an unknown name is an error. */
export function glyph(name) {
  var glyphs = (symbols && symbols.glyphs) || {};
  if (!Object.prototype.hasOwnProperty.call(glyphs, name)) {
    throw new Error("atlas: no glyph " + JSON.stringify(name) + "; known: " + Object.keys(glyphs).join(", "));
  }
  return glyphs[name];
}

/* Draw glyph `name` of a marker of radius r at (x, y) on a canvas context, in `ink`. */
export function canvasGlyph(ctx, name, x, y, r, ink) {
  var g = glyph(name);
  glyphDrawing(g.kind, name).canvas(ctx, g, x, y, r, ink);
}

function checkShape(name, shape) {
  if (!shape || (shape.kind !== "circle" && shape.kind !== "polygon")) {
    throw new Error("atlas: marker shape " + JSON.stringify(name) + " has no drawing (kind circle or polygon)");
  }
  if (shape.kind === "polygon" && !(Array.isArray(shape.points) && shape.points.length >= 3)) {
    throw new Error("atlas: marker shape " + JSON.stringify(name) + " needs three or more points");
  }
}

/* The drawing of marker `name`; an unknown name is an error. */
export function markerShape(name) {
  if (symbols === null) { throw new Error("atlas: no symbols installed (setSymbols)"); }
  if (!Object.prototype.hasOwnProperty.call(symbols.markers, name)) {
    throw new Error("atlas: no marker shape " + JSON.stringify(name) + "; known: " + Object.keys(symbols.markers).join(", "));
  }
  return symbols.markers[name];
}

/* How far the shape reaches from its centre, in radii (at least 1). */
export function markerReach(name) {
  var shape = markerShape(name);
  if (shape.kind === "circle") { return 1; }
  return shape.points.reduce(function (m, p) { return Math.max(m, Math.sqrt(p[0] * p[0] + p[1] * p[1])); }, 1);
}

/* Trace marker `name` of radius r around (x, y) on a canvas context (or anything with arc/moveTo/lineTo). */
export function canvasPath(ctx, name, x, y, r) {
  var shape = markerShape(name);
  if (shape.kind === "circle") { ctx.arc(x, y, r, 0, Math.PI * 2, false); return; }
  shape.points.forEach(function (p, i) { ctx[i ? "lineTo" : "moveTo"](x + p[0] * r, y + p[1] * r); });
  ctx.closePath();
}

/* The SVG path of marker `name` of radius r around (x, y). */
export function svgPath(name, x, y, r) {
  var shape = markerShape(name);
  if (shape.kind === "circle") {
    return "M" + (x - r) + " " + y + "a" + r + " " + r + " 0 1 0 " + 2 * r + " 0a" + r + " " + r + " 0 1 0 " + -2 * r + " 0";
  }
  return shape.points.map(function (p, i) { return (i ? "L" : "M") + (x + p[0] * r) + " " + (y + p[1] * r); }).join("") + "z";
}

/* Every marker name a payload uses (feature styles, legends, layers), checked against the shapes it carries. */
export function checkPayloadSymbols(data) {
  var used = {};
  (data.overlays || []).forEach(function (meta) {
    if (meta.marker) { used[meta.marker] = true; }
    (meta.legend || []).forEach(function (e) { used[e.shape || "circle"] = true; });
    ((meta.fc || {}).features || []).forEach(function (f) {
      var s = (f.properties || {})._s;
      if (s && s.m) { used[s.m] = true; }
      if (s && s.g) { glyph(s.g); }
    });
    (meta.legend || []).forEach(function (e) { if (e.glyph) { glyph(e.glyph); } });
  });
  Object.keys(used).forEach(markerShape);
  Object.keys(symbols.precision || {}).forEach(function (k) { precisionDrawing(symbols.precision[k].symbol); });
  return Object.keys(used).sort();
}

/* A legend swatch drawn the way the map draws the feature. */
export function swatch(e) {
  var svg = svgEl("svg", {width: "18", height: "16", viewBox: "0 0 18 16", "class": "atlas-sw", "aria-hidden": "true"});
  var d = svgPath(e.shape || "circle", 9, 8, e.r || 5);
  var stroke = e.outline ? "#000" : (e.stroke || "#fff"), width = e.outline ? 2.5 : (e.stroke ? 1 : 1.2);
  svg.appendChild(svgEl("path", {d: d, fill: e.outline ? "#bbb" : e.color, "fill-opacity": e.fo === undefined ? 0.95 : e.fo,
    stroke: stroke, "stroke-width": String(width)}));
  if (!e.outline && !e.stroke) {  /* the white outline needs an edge to be seen on white */
    svg.insertBefore(svgEl("path", {d: d, fill: "none", stroke: "#999", "stroke-width": "2.2"}), svg.firstChild);
  }
  if (e.glyph) {  /* a UK-critical mineral: its glyph, as on the map */
    svg.setAttribute("width", "20"); svg.setAttribute("height", "18"); svg.setAttribute("viewBox", "0 0 20 18");
    svg.firstChild.setAttribute("d", svgPath(e.shape || "circle", 10, 9, 8.5));
    svg.lastChild.setAttribute("d", svgPath(e.shape || "circle", 10, 9, 8.5));
    var g = glyph(e.glyph);
    glyphDrawing(g.kind, e.glyph).svg(svg, g, 10, 9, 8.5, "#000");
  }
  return svg;
}

/* The location-precision symbols (precision.Precision.symbol), as the map draws them, by name. */
var PRECISION_DRAWINGS = {
  point: function (svg, level) {
    svg.appendChild(svgEl("circle", {cx: "11", cy: "9", r: "8", fill: "#444", "fill-opacity": "0.06", stroke: "#444",
      "stroke-width": "1", "stroke-dasharray": "2 2"}));
    svg.appendChild(svgEl("circle", {cx: "11", cy: "9", r: String(level.r), fill: "#444",
      "fill-opacity": String(level.fo), stroke: "#fff", "stroke-width": "1.2"}));
  },
  hatch: function (svg) {
    var pat = svgEl("pattern", {id: "atlas-legend-hatch", patternUnits: "userSpaceOnUse", width: "5", height: "5",
      patternTransform: "rotate(45)"});
    pat.appendChild(svgEl("line", {x1: "0", y1: "0", x2: "0", y2: "5", stroke: "#444", "stroke-width": "1.8", "stroke-opacity": "0.55"}));
    var defs = svgEl("defs");
    defs.appendChild(pat); svg.appendChild(defs);
    svg.appendChild(svgEl("rect", {x: "2", y: "2", width: "18", height: "14", fill: "url(#atlas-legend-hatch)",
      stroke: "#444", "stroke-width": "1.5", "stroke-dasharray": "4 2.5"}));
  },
  outline: function (svg) {
    svg.appendChild(svgEl("rect", {x: "2", y: "2", width: "18", height: "14", fill: "none", stroke: "#444",
      "stroke-width": "2", "stroke-dasharray": "1.5 3"}));
  },
  panel: function (svg) {
    svg.appendChild(svgEl("rect", {x: "3", y: "3", width: "16", height: "12", fill: "#fff", stroke: "#444"}));
    svg.appendChild(svgEl("path", {d: "M6 7h10M6 11h7", stroke: "#444", "stroke-width": "1.2"}));
  }
};

/* The drawing of a precision symbol; an unknown symbol is an error. */
export function precisionDrawing(symbol) {
  if (!Object.prototype.hasOwnProperty.call(PRECISION_DRAWINGS, symbol)) {
    throw new Error("atlas: no drawing for the precision symbol " + JSON.stringify(symbol) + "; known: " +
      Object.keys(PRECISION_DRAWINGS).join(", "));
  }
  return PRECISION_DRAWINGS[symbol];
}

/* The precision levels the payload describes: {level: {symbol, legend, r, fo}}. */
export function precisionLevels() { return symbols.precision; }

/* The legend swatch of precision level `key`. */
export function precisionSwatch(key) {
  var level = symbols.precision[key];
  if (!level) { throw new Error("atlas: no location precision " + JSON.stringify(key)); }
  var svg = svgEl("svg", {width: "22", height: "18", viewBox: "0 0 22 18", "class": "atlas-sw", "aria-hidden": "true"});
  precisionDrawing(level.symbol)(svg, level);
  return svg;
}
