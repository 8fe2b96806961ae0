/* centralasia-geo atlas: draws the layers geo embeds as JSON. Text from data only ever goes into
   the page through textContent, never innerHTML; layer names for Leaflet's layer control (which
   uses innerHTML) are escaped first. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"'`]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"}[c];
    });
  }
  function safeUrl(u) { return /^https?:\/\/[^\s]+$/i.test(u || "") ? u : null; }
  function fold(s) {
    return String(s || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[ʻʼ'`’‘]/g, "").replace(/[\s\-_.,()]+/g, " ").trim();
  }

  function itemNode(it) {
    var sec = el("div", "atlas-item");
    sec.appendChild(el("h4", null, it.n));
    if (it.disp) { sec.appendChild(el("div", "atlas-disputed", "Sources disagree: every reading is shown")); }
    var table = el("table");
    it.rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0]));
      tr.appendChild(el("td", null, r[1]));
      table.appendChild(tr);
    });
    sec.appendChild(table);
    if (it.rd && it.rd.length) {
      sec.appendChild(el("div", "atlas-h", "Readings"));
      var ul = el("ul", "atlas-readings");
      it.rd.forEach(function (r) { ul.appendChild(el("li", null, r.c + " [" + r.k + "] - " + r.s)); });
      sec.appendChild(ul);
    }
    if (it.src && it.src.length) {
      sec.appendChild(el("div", "atlas-h", "Sources"));
      var ol = el("ol", "atlas-sources");
      it.src.forEach(function (s) {
        var li = el("li"), url = safeUrl(s.u), a = el(url ? "a" : "span", null, s.t);
        if (url) { a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer"; }
        li.appendChild(a);
        var meta = [s.p, s.d].filter(Boolean).join(", ");
        if (meta) { li.appendChild(document.createTextNode(" (" + meta + ")")); }
        ol.appendChild(li);
      });
      sec.appendChild(ol);
    }
    return sec;
  }
  function popupNode(items) {
    var root = el("div", "atlas-popup");
    items.forEach(function (it) { root.appendChild(itemNode(it)); });
    return root;
  }

  function hatchFactory(map, renderer) {
    var made = {};
    return function (color) {
      var id = "atlas-hatch-" + String(color).replace(/[^a-zA-Z0-9]/g, "");
      if (!made[id]) {
        var svg = renderer._container, ns = "http://www.w3.org/2000/svg";
        var defs = svg.querySelector("defs") || svg.insertBefore(document.createElementNS(ns, "defs"), svg.firstChild);
        var p = document.createElementNS(ns, "pattern");
        p.setAttribute("id", id); p.setAttribute("patternUnits", "userSpaceOnUse");
        p.setAttribute("width", "8"); p.setAttribute("height", "8");
        p.setAttribute("patternTransform", "rotate(45)");
        var line = document.createElementNS(ns, "line");
        line.setAttribute("x1", "0"); line.setAttribute("y1", "0"); line.setAttribute("x2", "0"); line.setAttribute("y2", "8");
        line.setAttribute("stroke", color); line.setAttribute("stroke-width", "2.5"); line.setAttribute("stroke-opacity", "0.55");
        p.appendChild(line); defs.appendChild(p); made[id] = true;
      }
      return "url(#" + id + ")";
    };
  }

  function vectorLayer(map, layer, ctx) {
    var group = L.featureGroup(), count = 0;
    var gj = L.geoJSON(layer.fc, {
      renderer: ctx.svg,
      pointToLayer: function (f, latlng) {
        var s = f.properties._s;
        var curated = !!f.properties._items && !!f.properties._items[0].id;
        return L.circleMarker(latlng, {renderer: ctx.canvas, radius: s.r || 4,
          color: s.x ? "#000" : (curated ? "#fff" : s.c), weight: s.x ? 2.5 : (curated ? 1.2 : (s.w || 1)),
          fillColor: s.f || s.c, fillOpacity: curated ? 0.95 : (s.fo === undefined ? 0.8 : s.fo)});
      },
      style: function (f) {
        var s = f.properties._s;
        return {color: s.c, weight: s.w || 1, dashArray: s.d || null, opacity: 0.9,
          fillColor: s.h ? ctx.hatch(s.c) : (s.f === "none" ? s.c : s.f),
          fillOpacity: s.h ? 1 : (s.fo === undefined ? 0.3 : s.fo), fill: (!!s.f && s.f !== "none") || !!s.h,
          stroke: s.w !== 0};
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties, items = p._items;
        count += 1;
        var title = p._t || (items && items[0].n);
        if (p._lab && lyr.getLatLng) {  /* a labelled city: one permanent tooltip (Leaflet binds once) */
          var label = el("span", null, String(p._t).replace(/ \([\d,]+\)$/, ""));
          label.setAttribute("data-rank", String(p._rank || 0));
          lyr.bindTooltip(label, {permanent: true, direction: "right", className: "atlas-city-label", offset: [4, 0]});
        } else if (title) { lyr.bindTooltip(el("span", null, title), {sticky: !!(lyr.getLatLng === undefined)}); }
        if (items) {
          lyr.bindPopup(function () { return popupNode(items); }, {maxWidth: 380, maxHeight: 420});
          items.forEach(function (it) { ctx.index(it, lyr, layer); });
        }
        if (p._s && p._s.u && lyr.getLatLng) {
          group.addLayer(L.circle(lyr.getLatLng(), {renderer: ctx.svg, radius: p._s.u, color: p._s.c, weight: 1,
            dashArray: "4 4", fillOpacity: 0.06, interactive: false}));
        }
        if (p._lbl) {
          group.addLayer(L.tooltip({permanent: true, direction: "center", className: "atlas-area-label",
            interactive: false}).setLatLng(p._lbl).setContent((function () {
              var span = el("span", null, p._t); span.setAttribute("data-rank", String(p._rank || 1e9)); return span;
            })()));
        }
        if (p._k) { ctx.indexKeys(p._k, p._t, lyr, layer); }
      }
    });
    group.addLayer(gj);
    group.atlasCount = count;
    return group;
  }

  function decode(b64, Type) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return new Type(bytes.buffer);
  }
  var PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"];

  var PointsLayer = L.Layer.extend({
    initialize: function (d) {
      var xy = decode(d.xy, Uint16Array), n = d.n, b = d.bbox;
      this._d = d; this._n = n;
      this._mx = new Float64Array(n); this._my = new Float64Array(n);
      this._lon = new Float32Array(n); this._lat = new Float32Array(n);
      var sx = (b[2] - b[0]) / 65535, sy = (b[3] - b[1]) / 65535;
      for (var i = 0; i < n; i++) {
        var lon = b[0] + xy[2 * i] * sx, lat = b[1] + xy[2 * i + 1] * sy, r = lat * Math.PI / 180;
        this._lon[i] = lon; this._lat[i] = lat;
        this._mx[i] = 0.5 + lon / 360;
        this._my[i] = 0.5 - Math.log(Math.tan(Math.PI / 4 + r / 2)) / (2 * Math.PI);
      }
      this._ci = d.ci ? decode(d.ci, Uint8Array) : null;
      this._nv = d.nv ? decode(d.nv, Uint16Array) : null;
      this._colors = PALETTE.map(function (h) {
        var v = parseInt(h.slice(1), 16);
        return (255 << 24) | ((v & 255) << 16) | (((v >> 8) & 255) << 8) | ((v >> 16) & 255);
      });
    },
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "atlas-points leaflet-zoom-hide");
      map.getPane("overlayPane").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      map.on("click", this._click, this);
      this._redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("click", this._click, this);
    },
    _redraw: function () {
      var map = this._map, size = map.getSize(), c = this._canvas;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(c, topLeft);
      c.width = size.x; c.height = size.y;
      var ctx2 = c.getContext("2d"), img = ctx2.createImageData(size.x, size.y);
      var buf = new Uint32Array(img.data.buffer), w = size.x, h = size.y;
      var scale = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin();
      var ox = o.x + topLeft.x, oy = o.y + topLeft.y, ci = this._ci, cols = this._colors;
      for (var i = 0; i < this._n; i++) {
        var px = (this._mx[i] * scale - ox) | 0, py = (this._my[i] * scale - oy) | 0;
        if (px < 0 || py < 0 || px >= w - 1 || py >= h - 1) { continue; }
        var col = cols[ci ? ci[i] % cols.length : 0], k = py * w + px;
        buf[k] = col; buf[k + 1] = col; buf[k + w] = col; buf[k + w + 1] = col;
      }
      ctx2.putImageData(img, 0, 0);
      this._drawn = true;
    },
    _click: function (e) {
      var map = this._map, p = map.latLngToContainerPoint(e.latlng), scale = 256 * Math.pow(2, map.getZoom());
      var o = map.getPixelOrigin(), tl = map.containerPointToLayerPoint([0, 0]);
      var best = -1, bestD = 36;
      for (var i = 0; i < this._n; i++) {
        var dx = this._mx[i] * scale - o.x - tl.x - p.x, dy = this._my[i] * scale - o.y - tl.y - p.y, dd = dx * dx + dy * dy;
        if (dd < bestD) { bestD = dd; best = i; }
      }
      if (best < 0) { return; }
      var d = this._d, rows = [["Row", String(best)], ["Longitude", this._lon[best].toFixed(4)],
        ["Latitude", this._lat[best].toFixed(4)], ["Position step", "about " + d.step_m + " m (compact encoding)"]];
      if (this._ci) { rows.push([d.cat, d.cats[this._ci[best]]]); }
      if (this._nv && this._nv[best] !== 65535) {
        rows.push([d.num, (d.range[0] + this._nv[best] / 65534 * (d.range[1] - d.range[0])).toPrecision(4)]);
      }
      L.popup().setLatLng([this._lat[best], this._lon[best]])
        .setContent(popupNode([{n: "Point " + best, rows: rows, src: [], rd: []}])).openOn(map);
    }
  });

  function legendControl(map, layers, registry) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = el("div", "atlas-legend leaflet-control");
      L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
      ctl._div = div; ctl.update(); return div;
    };
    ctl.update = function () {
      var div = ctl._div; if (!div) { return; }
      while (div.firstChild) { div.removeChild(div.firstChild); }
      div.appendChild(el("div", "atlas-legend-title", "Legend"));
      var precisions = {};
      layers.forEach(function (layer) {
        var obj = registry[layer.id];
        if (!obj || !map.hasLayer(obj) || !layer.legend || !layer.legend.length) { return; }
        var sec = el("div", "atlas-legend-section"); sec.setAttribute("data-layer", layer.id);
        sec.appendChild(el("div", "atlas-legend-layer", layer.title));
        layer.legend.forEach(function (e) {
          var row = el("div", "atlas-legend-row"), sw = el("span", e.outline ? "atlas-sw atlas-sw-outline" : "atlas-sw");
          sw.style.background = e.outline ? "transparent" : e.color; sw.style.borderColor = e.color;
          row.appendChild(sw); row.appendChild(el("span", null, e.label)); sec.appendChild(row);
        });
        (layer.precisions || []).forEach(function (p) {
          var label = (layer.precision_labels || {})[p];
          precisions[p] = precisions[p] && precisions[p] !== true && precisions[p] !== label ? true : (label || true);
        });
        div.appendChild(sec);
      });
      var words = window.atlasPrecisionWords || {};
      var keys = Object.keys(words).filter(function (k) { return precisions[k]; });
      if (keys.length) {
        var sec = el("div", "atlas-legend-section atlas-legend-precision");
        sec.appendChild(el("div", "atlas-legend-layer", "Location precision"));
        keys.forEach(function (k) {
          var row = el("div", "atlas-legend-row"), sw = el("span", "atlas-sym atlas-sym-" + words[k][0]);
          var text = precisions[k] === true ? words[k][1] : precisions[k];
          row.appendChild(sw); row.appendChild(el("span", null, text)); sec.appendChild(row);
        });
        div.appendChild(sec);
      }
    };
    map.on("overlayadd overlayremove", function () { ctl.update(); });
    var labels = function () {  /* area labels from zoom 5 up: below that they would cover the markers */
      L.DomUtil[map.getZoom() < 5 ? "addClass" : "removeClass"](map.getContainer(), "atlas-few-labels");
    };
    map.on("zoomend", labels); labels();
    /* Declutter: area labels first, then cities by population; a label that overlaps one already shown is
       hidden until the view changes. */
    var declutter = function () {
      var nodes = Array.prototype.slice.call(map.getContainer().querySelectorAll(".atlas-area-label, .atlas-city-label"));
      nodes.forEach(function (n) { n.style.visibility = ""; });
      var rank = function (n) {  /* areas (ranked above 1e9, smaller first), then cities by population */
        var s = n.querySelector("[data-rank]"); return s ? Number(s.getAttribute("data-rank")) : 0;
      };
      nodes.sort(function (a, b) { return rank(b) - rank(a); });
      var kept = [];
      nodes.forEach(function (n) {
        if (getComputedStyle(n).display === "none") { return; }
        var r = n.getBoundingClientRect();
        var clash = kept.some(function (k) { return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top; });
        if (clash) { n.style.visibility = "hidden"; } else { kept.push(r); }
      });
    };
    map.on("zoomend moveend overlayadd overlayremove", declutter);
    setTimeout(declutter, 0);
    return ctl;
  }

  function unknownPanel(map, unknown) {
    var ctl = L.control({position: "topleft"});
    ctl.onAdd = function () {
      var div = el("div", "atlas-unknown leaflet-control");
      L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
      div.appendChild(el("div", "atlas-legend-title", "Not on the map: location unknown (" + unknown.length + ")"));
      var ul = el("ul"), detail = el("div", "atlas-unknown-detail");
      unknown.forEach(function (u) {
        var li = el("li"), a = el("a", null, u.n + " (" + u.layer + ")");
        a.href = "#"; a.addEventListener("click", function (ev) {
          ev.preventDefault(); while (detail.firstChild) { detail.removeChild(detail.firstChild); }
          detail.appendChild(itemNode(u.item));
        });
        li.appendChild(a); ul.appendChild(li);
      });
      div.appendChild(ul); div.appendChild(detail); return div;
    };
    return ctl;
  }

  function searchControl(map, entries, registry) {
    var ctl = L.control({position: "topleft"});
    ctl.onAdd = function () {
      var div = el("div", "atlas-search leaflet-control");
      L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
      var input = el("input"); input.type = "search"; input.placeholder = "Search (Latin, Кириллица, aliases)";
      input.setAttribute("aria-label", "Search places and features");
      var list = el("ul", "atlas-search-results");
      input.addEventListener("input", function () {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        var q = fold(input.value); if (q.length < 2) { return; }
        var hits = entries.filter(function (e) { return e.keys.some(function (k) { return k.indexOf(q) !== -1; }); });
        hits.sort(function (a, b) { return (a.keys.some(function (k) { return k.indexOf(q) === 0; }) ? 0 : 1)
          - (b.keys.some(function (k) { return k.indexOf(q) === 0; }) ? 0 : 1) || a.rank - b.rank; });
        hits.slice(0, 10).forEach(function (h) {
          var li = el("li"), a = el("a", null, h.label + " (" + h.layer + ")"); a.href = "#";
          a.addEventListener("click", function (ev) {
            ev.preventDefault();
            var target = h.target;
            var owner = registry[h.layerId];
            if (owner && !map.hasLayer(owner)) { map.addLayer(owner); }
            if (target.getBounds) { map.fitBounds(target.getBounds(), {maxZoom: 8}); } else { map.setView(target.getLatLng(), 9); }
            if (target.getPopup && target.getPopup()) { target.openPopup(); }
          });
          li.appendChild(a); list.appendChild(li);
        });
        if (!hits.length) { list.appendChild(el("li", "atlas-search-none", "No match")); }
      });
      div.appendChild(input); div.appendChild(list); return div;
    };
    return ctl;
  }

  function titleControl(map, title) {
    var ctl = L.control({position: "topright"});
    ctl.onAdd = function () { return el("div", "atlas-title leaflet-control", title); };
    return ctl;
  }

  window.geoAtlas = function (map, data) {
    map.createPane("atlasPoints").style.zIndex = 450;  /* markers above every area, below tooltips */
    var ctx = {svg: L.svg({padding: 0.5}), canvas: L.canvas({padding: 0.5, pane: "atlasPoints"})};
    map.addLayer(ctx.svg);
    ctx.hatch = hatchFactory(map, ctx.svg);
    var search = [], registry = {}, overlays = {}, unknown = [];
    ctx.index = function (it, lyr, layer) {
      search.push({label: it.n, layer: layer.title, target: lyr, layerId: layer.id, rank: 0,
        keys: [fold(it.n), fold(it.id)].concat((it.k || []).map(fold))});
    };
    ctx.indexKeys = function (keys, label, lyr, layer) {
      search.push({label: String(label).replace(/ \([\d,]+\)$/, ""), layer: layer.title, target: lyr,
        layerId: layer.id, rank: 1, keys: keys.map(fold)});
    };
    window.atlasPrecisionWords = data.precision_words;
    var all = data.basemap.concat(data.overlays);
    data.basemap.forEach(function (layer) {
      var obj = vectorLayer(map, layer, ctx); registry[layer.id] = obj;
      if (layer.visible) { obj.addTo(map); }
      overlays["<span class='atlas-base'>" + escapeHtml(layer.title) + "</span>"] = obj;
    });
    data.overlays.forEach(function (layer) {
      var obj = layer.kind === "packed" ? new PointsLayer(layer.packed) : null;
      if (!obj) { obj = vectorLayer(map, layer, ctx); }
      registry[layer.id] = obj;
      obj.atlasId = layer.id;
      if (layer.visible) { obj.addTo(map); }
      overlays[escapeHtml(layer.title) + " <span class='atlas-count'>(" + layer.count + ")</span>"] = obj;
      (layer.unknown || []).forEach(function (u) { unknown.push(u); });
    });
    (data.images || []).forEach(function (img, i) {
      if (!map.getPane("atlasImages")) { map.createPane("atlasImages").style.zIndex = 401; }  /* over the fills */
      var id = "image-" + i, obj = L.imageOverlay(img.url, img.bounds,
        {opacity: img.opacity || 0.6, interactive: false, pane: "atlasImages"});
      registry[id] = obj; obj.addTo(map);
      overlays[escapeHtml(img.title)] = obj;
      all.push({id: id, title: img.title, legend: img.legend || []});
    });
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
    var legend = legendControl(map, all, registry); legend.addTo(map);
    if (data.title) { titleControl(map, data.title).addTo(map); }
    searchControl(map, search, registry).addTo(map);
    if (unknown.length) { unknownPanel(map, unknown).addTo(map); }
    if (data.minimap && L.Control.MiniMap) {
      var mini = L.geoJSON(data.minimap, {style: {color: "#666", weight: 0.5, fillColor: "#f4f1ea", fillOpacity: 1}});
      new L.Control.MiniMap(mini, {toggleDisplay: true, position: "bottomleft", zoomLevelOffset: -4,
        width: 140, height: 110}).addTo(map);
    }
    if (data.bounds) { map.fitBounds(data.bounds, {animate: false}); }
    window.atlas = {map: map, layers: registry, search: search, legend: legend, data: data,
      counts: function () {
        var out = {};
        Object.keys(registry).forEach(function (k) {
          var o = registry[k]; out[k] = o && o._n !== undefined ? o._n : (o ? o.atlasCount : 0);
        });
        return out;
      }};
    return window.atlas;
  };
})();
