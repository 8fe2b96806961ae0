/* Marker shapes on the canvas, and the compact layer for very many points (geo/mapping/packed.py).
   The decoding is plain functions (tested under node); the Leaflet classes are made on first use. */
import {canvasGlyph, canvasPath, markerReach} from "./symbols.js";
import {t} from "./words.js";

export function bytesOf(b64) {
  var bin = atob(b64), n = bin.length, out = new Uint8Array(n);
  for (var i = 0; i < n; i++) { out[i] = bin.charCodeAt(i); }
  return out;
}
export function inflate(b64) {
  if (typeof DecompressionStream === "undefined") {
    return Promise.reject(new Error("this browser cannot inflate the compact layer (no DecompressionStream)"));
  }
  var stream = new Blob([bytesOf(b64)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
}
/* Undo the byte shuffle: `width`-byte little-endian values stored as byte planes. */
export function unshuffle(bytes, offset, n, width) {
  var out = new Uint8Array(n * width);
  for (var b = 0; b < width; b++) {
    var plane = offset + b * n;
    for (var i = 0; i < n; i++) { out[i * width + b] = bytes[plane + i]; }
  }
  return out;
}
export function u32(bytes, offset, n) {
  var out = new Uint32Array(n);
  for (var i = 0; i < n; i++) {
    var k = offset + 4 * i;
    out[i] = (bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24)) >>> 0;
  }
  return out;
}
export function planesU32(bytes, offset, n) {
  var out = new Uint32Array(n), b0 = offset, b1 = offset + n, b2 = offset + 2 * n, b3 = offset + 3 * n;
  for (var i = 0; i < n; i++) {
    out[i] = (bytes[b0 + i] | (bytes[b1 + i] << 8) | (bytes[b2 + i] << 16) | (bytes[b3 + i] << 24)) >>> 0;
  }
  return out;
}
/* A #rrggbb colour as one little-endian RGBA pixel (opaque). */
export function rgba(hex) {
  var v = parseInt(String(hex).slice(1), 16);
  return (255 << 24) | ((v & 255) << 16) | (((v >> 8) & 255) << 8) | ((v >> 16) & 255);
}

/* The positions block: x as deltas, y as values, both as byte planes of u32 grid steps from d.origin.
   Returns grid steps (qx, qy) and Web Mercator positions in [0, 1] (mx, my). */
export function decodePositions(bytes, d) {
  var n = d.n, dx = planesU32(bytes, 0, n), qy = planesU32(bytes, 4 * n, n);
  var mx = new Float64Array(n), my = new Float64Array(n), qx = new Uint32Array(n), x = 0;
  for (var i = 0; i < n; i++) {
    x += dx[i]; qx[i] = x;
    var lon = d.origin[0] + x * d.step, lat = d.origin[1] + qy[i] * d.step, rad = lat * Math.PI / 180;
    mx[i] = 0.5 + lon / 360;
    my[i] = 0.5 - Math.log(Math.tan(Math.PI / 4 + rad / 2)) / (2 * Math.PI);
  }
  return {qx: qx, qy: qy, mx: mx, my: my};
}

/* The columnar attribute block (geo/mapping/packed.py), decoded once, on the first click. */
export function Attributes(bytes, columns, n) {
  var offset = 0, decoder = new TextDecoder();
  this.n = n;
  this.columns = columns.map(function (c) {
    var col = {name: c.name, type: c.type}, k = 0, parts = [];
    c.sizes.forEach(function (size) { parts.push(offset); offset += size; });
    if (c.nulls) { col.nulls = bytes.subarray(parts[k], parts[k] + c.sizes[k]); k++; }
    if (c.type === "bool") {
      col.values = bytes.subarray(parts[k], parts[k] + n);
    } else if (c.type === "int" || c.type === "float") {
      col.values = new Float64Array(unshuffle(bytes, parts[k], n, 8).buffer);
    } else if (c.type === "dict") {
      var lengths = u32(bytes, parts[k], c.size), start = parts[k + 1], words = [];
      for (var i = 0; i < c.size; i++) {
        words.push(decoder.decode(bytes.subarray(start, start + lengths[i]))); start += lengths[i];
      }
      col.words = words;
      var width = {"<u1": 1, "<u2": 2, "<u4": 4}[c.codes], raw = unshuffle(bytes, parts[k + 2], n, width);
      col.codes = width === 1 ? raw : width === 2 ? new Uint16Array(raw.buffer) : new Uint32Array(raw.buffer);
    } else {
      var lens = planesU32(bytes, parts[k], n), offs = new Uint32Array(n + 1);
      for (var j = 0; j < n; j++) { offs[j + 1] = offs[j] + lens[j]; }
      col.offsets = offs; col.text = bytes.subarray(parts[k + 1], parts[k + 1] + c.sizes[k + 1]); col.decoder = decoder;
    }
    return col;
  });
}
Attributes.prototype.value = function (col, i) {
  if (col.nulls && (col.nulls[i >> 3] >> (i & 7)) & 1) { return null; }
  if (col.type === "bool") { return col.values[i] ? "true" : "false"; }
  if (col.type === "int") { return String(col.values[i]); }
  if (col.type === "float") { return String(col.values[i]); }
  if (col.type === "dict") { return col.words[col.codes[i]]; }
  return col.decoder.decode(col.text.subarray(col.offsets[i], col.offsets[i + 1]));
};

/* Indices of the points within `tol` px of (px, py) in world pixels at `scale`: [{i, d2}], nearest first. */
export function pointsNear(mx, my, scale, px, py, tol) {
  var out = [], t2 = tol * tol;
  for (var i = 0, n = mx.length; i < n; i++) {
    var dx = mx[i] * scale - px;
    if (dx > tol || dx < -tol) { continue; }
    var dy = my[i] * scale - py, dd = dx * dx + dy * dy;
    if (dd <= t2) { out.push({i: i, d2: dd}); }
  }
  out.sort(function (a, b) { return a.d2 - b.d2; });
  return out;
}

/* The popup rows of a packed point: every non-empty attribute, then its position and grid step. */
export function packedItem(attributes, i, d, latlng) {
  var rows = [], name = null;
  attributes.columns.forEach(function (col) {
    var v = attributes.value(col, i);
    if (col.name === d.title) { name = v; }
    if (v !== null && v !== "") { rows.push([col.name, v]); }
  });
  rows.push([t("packed.position"), t("packed.where", {lat: latlng.lat.toFixed(5), lng: latlng.lng.toFixed(5),
    step: d.step_m, within: (d.step_m * 0.71).toFixed(1)})]);
  return {n: name || t("packed.point", {n: i + 1}), rows: rows, src: [], rd: []};
}

var made = null;

/* The Leaflet classes (made once, when Leaflet is there): ShapeMarker and PackedPoints. */
export function pointLayers() {
  if (made) { return made; }
  L.Canvas.include({
    _updateAtlasShape: function (layer) {
      if (!this._drawing || layer._empty()) { return; }
      var p = layer._point, ctx = this._ctx;
      ctx.beginPath();
      canvasPath(ctx, layer.options.shape, p.x, p.y, Math.max(Math.round(layer._radius), 1));
      this._fillStroke(ctx, layer);
      if (layer.options.glyph) { canvasGlyph(ctx, layer.options.glyph, p.x, p.y, layer._radius, layer.options.glyphInk); }
    }
  });

  /* A circle marker drawn as options.shape (a name in the symbols); it takes no events itself: the atlas
     hit-tests every layer at once, so stacked features can all be listed. */
  var ShapeMarker = L.CircleMarker.extend({
    options: {shape: "circle", interactive: false},
    _updatePath: function () {
      if (this._renderer._updateAtlasShape) { this._renderer._updateAtlasShape(this); } else { this._renderer._updateCircle(this); }
    },
    _updateBounds: function () {  /* a triangle reaches 1.35 r from its centre */
      var r = this._radius * Math.max(1.4, markerReach(this.options.shape)), w = this._clickTolerance(), p = [r + w, r + w];
      this._pxBounds = new L.Bounds(this._point.subtract(p), this._point.add(p));
    }
  });

  /* Very many points on one canvas: decoded from the compact encoding, drawn as 2x2-pixel squares. */
  var PackedPoints = L.Layer.extend({
    initialize: function (d) {
      var self = this;
      this._d = d; this._n = d.n; this._colors = (d.colors || ["#882255"]).map(rgba);
      this.ready = Promise.all([inflate(d.xy), d.ci ? inflate(d.ci) : Promise.resolve(null)]).then(function (r) {
        var pos = decodePositions(r[0], d);
        self._qx = pos.qx; self._qy = pos.qy; self._mx = pos.mx; self._my = pos.my; self._ci = r[1];
        if (self._map) { self._redraw(); }
        return self;
      });
    },
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "atlas-points leaflet-zoom-hide");
      map.getPane(this.options.pane || "overlayPane").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      if (this._mx) { this._redraw(); }
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      this._map = null;
    },
    _redraw: function () {
      var map = this._map;
      if (!map || !this._mx) { return; }
      var t0 = performance.now(), size = map.getSize(), c = this._canvas;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(c, topLeft);
      c.width = size.x; c.height = size.y;
      var ctx2 = c.getContext("2d"), img = ctx2.createImageData(size.x, size.y);
      var buf = new Uint32Array(img.data.buffer), w = size.x, h = size.y;
      var scale = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin();
      var ox = o.x + topLeft.x, oy = o.y + topLeft.y, ci = this._ci, cols = this._colors, mx = this._mx, my = this._my;
      for (var i = 0, n = this._n; i < n; i++) {
        var px = (mx[i] * scale - ox) | 0, py = (my[i] * scale - oy) | 0;
        if (px < 0 || py < 0 || px >= w - 1 || py >= h - 1) { continue; }
        var col = cols[ci ? ci[i] % cols.length : 0], k = py * w + px;
        buf[k] = col; buf[k + 1] = col; buf[k + w] = col; buf[k + w + 1] = col;
      }
      ctx2.putImageData(img, 0, 0);
      this.drawMs = performance.now() - t0;
      this._drawn = true;
    },
    /* Points within `tol` px of a layer point: [{i, d2}] nearest first. */
    hits: function (layerPoint, tol) {
      if (!this._mx || !this._map) { return []; }
      var map = this._map, scale = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin();
      return pointsNear(this._mx, this._my, scale, layerPoint.x + o.x, layerPoint.y + o.y, tol);
    },
    latLng: function (i) {
      var d = this._d;
      return L.latLng(d.origin[1] + this._qy[i] * d.step, d.origin[0] + this._qx[i] * d.step);
    },
    attributes: function () {
      var d = this._d;
      if (!this._attrs) {
        this._attrs = inflate(d.attrs).then(function (bytes) { return new Attributes(bytes, d.columns, d.n); });
      }
      return this._attrs;
    },
    /* A popup item for point i: its name and every attribute, and its position with the grid step. */
    item: function (i) {
      var self = this, d = this._d;
      return this.attributes().then(function (a) { return packedItem(a, i, d, self.latLng(i)); });
    }
  });
  made = {ShapeMarker: ShapeMarker, PackedPoints: PackedPoints};
  return made;
}
