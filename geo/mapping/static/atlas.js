/* centralasia-geo atlas: draws the layers geo embeds as JSON. Text from data only ever goes into the page
   through textContent, never innerHTML. Every layer is drawn without events of its own: one hit test over
   all of them answers hovers and clicks, so areas under markers, labels and stacked features all stay
   reachable, and a click on several features lists them. */
(function () {
  "use strict";
  var P = window.atlasPoints;

  /* ---------- small helpers ---------- */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function safeUrl(u) { return /^https?:\/\/[^\s]+$/i.test(u || "") ? u : null; }
  var CYR = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i"};
  function fold(s) {
    return String(s || "").toLowerCase().replace(/[а-яёәғқңөұүһі]/g, function (c) { return CYR[c]; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[ʻʼ'`’‘]/g, "")
      .replace(/[\s\-_.,()]+/g, " ").trim();
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }

  /* Dates are "YYYY", "YYYY-MM" or "YYYY-MM-DD"; a partial date is the period it names. */
  function dateStart(d) { return d.length === 4 ? d + "-01-01" : d.length === 7 ? d + "-01" : d; }
  function dateEnd(d) { return d.length === 4 ? d + "-12-31" : d.length === 7 ? d + "-31" : d; }
  function thisMonth() { var t = new Date(); return t.getFullYear() + "-" + String(t.getMonth() + 1).padStart(2, "0"); }
  function monthName(m) {
    var names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
      "November", "December"];
    return names[Number(m.slice(5, 7)) - 1] + " " + m.slice(0, 4);
  }

  /* ---------- popups ---------- */
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
    if (it.ev && it.ev.length) {
      sec.appendChild(el("div", "atlas-h", "History"));
      var hl = el("ul", "atlas-readings");
      it.ev.forEach(function (e) { hl.appendChild(el("li", null, [e[0], e[1], e[2]].filter(Boolean).join(": "))); });
      sec.appendChild(hl);
    }
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

  function hatchFactory(svgRenderer) {
    var made = {};
    return function (color) {
      var id = "atlas-hatch-" + String(color).replace(/[^a-zA-Z0-9]/g, "");
      if (!made[id]) {
        var svg = svgRenderer._container;
        var defs = svg.querySelector("defs") || svg.insertBefore(svgEl("defs"), svg.firstChild);
        var p = svgEl("pattern", {id: id, patternUnits: "userSpaceOnUse", width: "8", height: "8",
          patternTransform: "rotate(45)"});
        p.appendChild(svgEl("line", {x1: "0", y1: "0", x2: "0", y2: "8", stroke: color, "stroke-width": "2.5",
          "stroke-opacity": "0.55"}));
        defs.appendChild(p); made[id] = true;
      }
      return "url(#" + id + ")";
    };
  }

  /* A legend swatch drawn the way the map draws the feature. */
  function swatch(e) {
    var svg = svgEl("svg", {width: "18", height: "16", viewBox: "0 0 18 16", "class": "atlas-sw", "aria-hidden": "true"});
    var ctx = svgPath(e.shape || "circle", 9, 8, e.r || 5);
    var stroke = e.outline ? "#000" : (e.stroke || "#fff"), width = e.outline ? 2.5 : (e.stroke ? 1 : 1.2);
    svg.appendChild(svgEl("path", {d: ctx, fill: e.outline ? "#bbb" : e.color, "fill-opacity": e.fo === undefined ? 0.95 : e.fo,
      stroke: stroke, "stroke-width": String(width)}));
    if (!e.outline && !e.stroke) {  /* the white outline needs an edge to be seen on white */
      svg.insertBefore(svgEl("path", {d: ctx, fill: "none", stroke: "#999", "stroke-width": "2.2"}), svg.firstChild);
    }
    return svg;
  }
  function svgPath(shape, x, y, r) {
    if (shape === "square") { var s = r * 0.89; return "M" + (x - s) + " " + (y - s) + "h" + 2 * s + "v" + 2 * s + "h" + -2 * s + "z"; }
    if (shape === "triangle") {
      var t = r * 1.35; return "M" + x + " " + (y - t) + "L" + (x + t * 0.866) + " " + (y + t * 0.5) + "L" + (x - t * 0.866) + " " + (y + t * 0.5) + "z";
    }
    if (shape === "diamond") { var d = r * 1.25; return "M" + x + " " + (y - d) + "L" + (x + d) + " " + y + "L" + x + " " + (y + d) + "L" + (x - d) + " " + y + "z"; }
    return "M" + (x - r) + " " + y + "a" + r + " " + r + " 0 1 0 " + 2 * r + " 0a" + r + " " + r + " 0 1 0 " + -2 * r + " 0";
  }
  /* The location-precision symbols, as the map draws them. */
  function precisionSwatch(kind) {
    var svg = svgEl("svg", {width: "22", height: "18", viewBox: "0 0 22 18", "class": "atlas-sw", "aria-hidden": "true"});
    if (kind === "site" || kind === "town" || kind === "district") {
      svg.appendChild(svgEl("circle", {cx: "11", cy: "9", r: "8", fill: "#444", "fill-opacity": "0.06", stroke: "#444",
        "stroke-width": "1", "stroke-dasharray": "2 2"}));
      svg.appendChild(svgEl("circle", {cx: "11", cy: "9", r: kind === "site" ? "4.5" : "4", fill: "#444",
        "fill-opacity": kind === "site" ? "0.95" : "0.6", stroke: "#fff", "stroke-width": "1.2"}));
    } else if (kind === "region") {
      var pat = svgEl("pattern", {id: "atlas-legend-hatch", patternUnits: "userSpaceOnUse", width: "5", height: "5",
        patternTransform: "rotate(45)"});
      pat.appendChild(svgEl("line", {x1: "0", y1: "0", x2: "0", y2: "5", stroke: "#444", "stroke-width": "1.8", "stroke-opacity": "0.55"}));
      var defs = svgEl("defs"); defs.appendChild(pat); svg.appendChild(defs);
      svg.appendChild(svgEl("rect", {x: "2", y: "2", width: "18", height: "14", fill: "url(#atlas-legend-hatch)",
        stroke: "#444", "stroke-width": "1.5", "stroke-dasharray": "4 2.5"}));
    } else if (kind === "country") {
      svg.appendChild(svgEl("rect", {x: "2", y: "2", width: "18", height: "14", fill: "none", stroke: "#444",
        "stroke-width": "2", "stroke-dasharray": "1.5 3"}));
    } else {
      svg.appendChild(svgEl("rect", {x: "3", y: "3", width: "16", height: "12", fill: "#fff", stroke: "#444"}));
      svg.appendChild(svgEl("path", {d: "M6 7h10M6 11h7", stroke: "#444", "stroke-width": "1.2"}));
    }
    return svg;
  }

  /* ---------- the atlas ---------- */
  window.geoAtlas = function (map, data) {
    var started = performance.now();
    var A = {map: map, data: data, layers: {}, order: [], search: [], labels: [],
      filter: {sel: {}, time: {mode: "any", on: thisMonth(), from: null, to: null}}};
    map.options.zoomSnap = 0.5;
    var container = map.getContainer();
    L.DomUtil.addClass(container, "atlas-map");
    /* the title bar above the map, and the first view, before any layer: layers are then placed once */
    var bar = el("div", "atlas-titlebar"), titleNode = el("div", "atlas-title", data.title || "");
    titleNode.title = data.title || "";
    bar.appendChild(titleNode);
    container.parentNode.insertBefore(bar, container);
    L.DomUtil.addClass(document.body, "atlas-page");
    map.invalidateSize({animate: false});
    var size = map.getSize();
    if (data.bounds) {  /* leave room for the panel, open from 900 px wide */
      var right = size.x >= 900 ? Math.min(312, size.x / 3) : 10;
      map.fitBounds(data.bounds, {animate: false, paddingTopLeft: [size.x < 600 ? 0 : 40, 0], paddingBottomRight: [right, 0]});
      if (size.x < 600) { map.setZoom(map.getZoom() + 0.5, {animate: false}); }  /* a phone: the middle, larger */
    }

    /* panes: reference layers each in their own (toggling one keeps the order), images, areas, markers */
    function pane(name, z, noHit) {
      var p = map.getPane(name) || map.createPane(name);
      p.style.zIndex = z; if (noHit) { L.DomUtil.addClass(p, "atlas-nohit"); }
      return p;
    }
    var svgAreas = L.svg({padding: 0.5}); map.addLayer(svgAreas);
    pane("atlasPoints", 450, true);
    var canvasPoints = L.canvas({padding: 0.5, pane: "atlasPoints"});
    pane("atlasFills", 301, true);
    var svgFills = L.svg({padding: 0.5, pane: "atlasFills"}); map.addLayer(svgFills);
    var hatch = hatchFactory(svgAreas);
    L.DomUtil.addClass(map.getPane("overlayPane"), "atlas-nohit");

    /* ---------- filters and time ---------- */
    function effectiveStatus(it) {
      var t = A.filter.time;
      if (t.mode !== "on") { return it.f ? it.f.status : undefined; }
      var end = dateEnd(t.on), status = null;
      (it.t || []).forEach(function (r) { if (r[1] && dateStart(r[0]) <= end) { status = r[1]; } });
      return status;
    }
    function facetOk(it, key, skip) {
      var sel = A.filter.sel[key];
      if (!sel || key === skip) { return true; }
      var v = key === "status" ? effectiveStatus(it) : (it.f || {})[key];
      if (v === undefined || v === null) { return false; }
      return Array.isArray(v) ? v.some(function (x) { return sel.has(x); }) : sel.has(v);
    }
    function timeOk(it) {
      var t = A.filter.time;
      if (t.mode === "on") { return effectiveStatus(it) !== null; }
      if (t.mode !== "between") { return true; }
      var from = dateStart(t.from), to = dateEnd(t.to), sel = A.filter.sel.status;
      return (it.t || []).some(function (r) {
        if (!(dateStart(r[0]) <= to && dateEnd(r[0]) >= from)) { return false; }
        return !sel || sel.has(r[1] || (it.f || {}).status);
      });
    }
    /* Whether a curated item passes every filter (`skip`: leave one facet out, to count its choices). */
    function passes(it, skip) {
      if (!it.f) { return true; }
      if (!timeOk(it)) { return false; }
      return Object.keys(A.filter.sel).every(function (k) {
        if (k === "status" && A.filter.time.mode === "between") { return true; }  /* judged per dated record */
        return facetOk(it, k, skip);
      });
    }
    A.passes = passes;

    /* ---------- building the layers ---------- */
    function markerOptions(s, renderer) {
      return {renderer: renderer || canvasPoints, shape: s.m || "circle", radius: s.r || 5, interactive: false,
        color: s.x ? "#000" : "#fff", weight: s.x ? 2.5 : 1.2, fillColor: s.f || s.c,
        fillOpacity: s.fo === undefined ? 0.85 : s.fo};
    }
    function pathOptions(s, renderer) {
      return {renderer: renderer, interactive: false, color: s.c, weight: s.w === undefined ? 1 : s.w,
        dashArray: s.d || null, opacity: 0.9, lineJoin: "round",
        fillColor: s.h ? hatch(s.c) : (s.f === "none" ? s.c : s.f),
        fillOpacity: s.h ? 1 : (s.fo === undefined ? 0.3 : s.fo), fill: (!!s.f && s.f !== "none") || !!s.h,
        stroke: s.w !== 0};
    }
    function points(geometry) {
      if (geometry.type === "Point") { return [geometry.coordinates]; }
      if (geometry.type === "MultiPoint") { return geometry.coordinates; }
      return null;
    }
    function geomBounds(geometry) {
      var b = L.latLngBounds([]);
      (function walk(c) {
        if (typeof c[0] === "number") { b.extend([c[1], c[0]]); } else { c.forEach(walk); }
      })(geometry.type === "GeometryCollection" ? geometry.geometries.map(function (g) { return g.coordinates; }) : geometry.coordinates);
      return b;
    }
    function label(latlng, text, cls, minz, rank, onClick, offset) {
      var span = el("span", null, text);
      span.setAttribute("data-at", L.latLng(latlng).lat + "," + L.latLng(latlng).lng);
      span.setAttribute("data-rank", String(rank || 0)); span.setAttribute("data-minz", String(minz || 0));
      var tip = L.tooltip({permanent: true, direction: "center", className: "atlas-label " + cls,
        interactive: false, offset: offset || [0, 0]}).setLatLng(latlng).setContent(span);
      if (onClick) {
        L.DomUtil.addClass(span, "atlas-label-click");
        span.setAttribute("role", "button"); span.tabIndex = 0;
        L.DomEvent.on(span, "click", function (ev) { L.DomEvent.stop(ev); onClick(); });
        L.DomEvent.on(span, "keydown", function (ev) { if (ev.key === "Enter") { onClick(); } });
      }
      return tip;
    }

    /* A curated or user layer: (re)drawn from its features, keeping only the items that pass the filters. */
    function drawVector(rec) {
      var meta = rec.meta, group = rec.group, curated = rec.kind === "curated";
      group.clearLayers(); rec.hits = []; rec.shown = []; rec.drawn = 0; rec.areaLabels = [];
      meta.fc.features.forEach(function (f) {
        var p = f.properties, s = p._s, items = p._items || [];
        var keep = curated ? items.filter(function (it) { return passes(it); }) : items;
        if (!keep.length || !f.geometry) { return; }
        rec.drawn += 1;
        keep.forEach(function (it) { rec.shown.push(it); });
        var pts = points(f.geometry);
        if (pts) {
          pts.forEach(function (c) {
            var ll = L.latLng(c[1], c[0]), m = new P.ShapeMarker(ll, markerOptions(s));
            if (s.u) {
              group.addLayer(L.circle(ll, {renderer: svgAreas, radius: s.u, color: s.c, weight: 1, dashArray: "4 4",
                fillOpacity: 0.06, interactive: false}));
            }
            group.addLayer(m);
            rec.hits.push({lyr: m, kind: "marker", items: keep, latlng: ll, rec: rec});
          });
          return;
        }
        var renderer = s.ch ? svgFills : svgAreas;
        var shape = L.GeoJSON.geometryToLayer(f, {});
        var parts = shape.eachLayer ? shape.getLayers() : [shape];
        parts.forEach(function (part) {
          L.setOptions(part, pathOptions(s, renderer));
          group.addLayer(part);
          var line = part instanceof L.Polyline && !(part instanceof L.Polygon);
          rec.hits.push({lyr: part, kind: s.a ? "outline" : line ? "line" : "area", items: keep,
            latlng: p._lbl ? L.latLng(p._lbl) : part.getBounds().getCenter(), rec: rec});
        });
        if (p._lbl) { rec.areaLabels.push({at: L.latLng(p._lbl), items: keep, country: !!s.a, rank: p._rank || 1e9}); }
      });
    }

    /* One label per area, whatever the layers drawing it: "Valor Carbon…", or "2 features in this area". */
    var areaLabelDefs = [];
    function drawAreaLabels() {
      var byPlace = {}, places = [];
      A.order.forEach(function (id) {
        var rec = A.layers[id];
        if (!visible(rec)) { return; }
        (rec.areaLabels || []).forEach(function (a) {
          var key = a.at.lat + "," + a.at.lng + "," + a.country;
          if (!byPlace[key]) { byPlace[key] = {at: a.at, country: a.country, rank: a.rank, entries: []}; places.push(byPlace[key]); }
          byPlace[key].entries = byPlace[key].entries.concat(entriesOf(a.items, rec, a.at));
        });
      });
      areaLabelDefs = places.map(function (pl) {
        var first = pl.entries[0].item, n = pl.entries.length;
        var country = (first.rows || []).filter(function (r) { return r[0] === "Country"; }).map(function (r) { return r[1]; })[0];
        var where = pl.country ? "somewhere in " + (country || "this country") : "in this area";
        return {at: pl.at, text: n === 1 ? first.n + (pl.country ? ": " + where : "") : plural(n, "feature") + " " + where,
          cls: pl.country ? "atlas-area-label atlas-area-country" : "atlas-area-label", minz: 5, rank: pl.rank + 1e9,
          onClick: function () { openItems(pl.entries, pl.at); }, offset: pl.country ? [0, 30] : null};
      });
      drawLabels(true);
    }
    /* The labels on screen: those of switched-on layers, for this zoom, in (or near) the view. Few DOM nodes:
       Leaflet measures every tooltip it places, so thousands of hidden labels would cost seconds. */
    var labelLayer = L.layerGroup().addTo(map);
    var shownLabels = null;
    function drawLabels(force) {
      var z = map.getZoom(), view = map.getBounds().pad(0.2), defs = areaLabelDefs.slice();
      A.order.forEach(function (id) { var rec = A.layers[id]; if (visible(rec)) { defs = defs.concat(rec.labelDefs || []); } });
      defs = defs.filter(function (d) { return z >= d.minz && view.contains(d.at); });
      var key = z + "|" + defs.map(function (d) { return d.text + "@" + d.at.lat + "," + d.at.lng; }).join("|");
      if (!force && key === shownLabels) { return; }  /* a pan that brings no new label: nothing to place */
      shownLabels = key;
      var old = labelLayer.getLayers().map(function (l) { return l.getElement(); });
      labelLayer.clearLayers();
      old.forEach(function (e) { if (e) { L.DomUtil.remove(e); } });  /* now, not after Leaflet's fade */
      defs.forEach(function (d) { labelLayer.addLayer(label(d.at, d.text, d.cls, d.minz, d.rank, d.onClick, d.offset)); });
      declutter();
    }

    function cityThresholds(z) {
      var dot = z <= 4 ? 300000 : z <= 5 ? 100000 : z <= 6 ? 30000 : z <= 7 ? 10000 : 0;
      var name = z <= 4 ? 600000 : z <= 5 ? 250000 : z <= 6 ? 100000 : z <= 7 ? 30000 : z <= 8 ? 10000 : 0;
      return [dot, name];
    }
    /* A reference layer: drawn once; towns are thinned by zoom and population. */
    function drawReference(rec) {
      var meta = rec.meta, group = rec.group;
      group.clearLayers(); rec.hits = []; rec.drawn = 0; rec.labelDefs = [];
      var isCities = meta.id === "cities", th = cityThresholds(map.getZoom());
      meta.fc.features.forEach(function (f) {
        var p = f.properties, s = p._s || {};
        if (p._lbl) {
          var cls = p._lc || "water", minz = {country: 3, neighbour: 4, water: 5, region: 6, lease: 6}[cls] || 5;
          /* which name wins a clash: countries, the lease, the curated areas (2e9 up), neighbours, water,
             towns by population, regions */
          var rank = {country: 3e9, lease: 2.5e9, neighbour: 1.8e9, water: 1.5e9, region: 1e6}[cls] || 0;
          rec.labelDefs.push({at: L.latLng(p._lbl), text: p._ln || p._t || "", cls: "atlas-label-" + cls, minz: minz, rank: rank});
        }
        if (!f.geometry) { return; }
        rec.drawn += 1;
        var pts = points(f.geometry);
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
        if (data.tiles && meta.id === "countries") { s = Object.assign({}, s, {fo: Math.min(s.fo || 0, 0.15)}); }  /* tiles show */
        var shape = L.GeoJSON.geometryToLayer(f, {});
        (shape.eachLayer ? shape.getLayers() : [shape]).forEach(function (part) {
          L.setOptions(part, pathOptions(s, rec.svg));
          group.addLayer(part);
          var line = part instanceof L.Polyline && !(part instanceof L.Polygon);
          if (p._t) { rec.hits.push({lyr: part, kind: line ? "line" : (s.f === "none" ? "outline" : "area"), title: p._t, rec: rec}); }
        });
      });
    }

    function register(meta, kind, groupName) {
      var rec = {id: meta.id, meta: meta, kind: kind, groupName: groupName, hits: [], shown: [], drawn: 0};
      A.layers[meta.id] = rec; A.order.push(meta.id);
      return rec;
    }
    data.basemap.forEach(function (meta, i) {
      var rec = register(meta, "reference", "reference");
      var name = "atlasBase" + i; pane(name, 300 + 2 * i, true);  /* fills (choropleths) go right above the countries */
      rec.svg = L.svg({padding: 0.5, pane: name}); rec.canvas = L.canvas({padding: 0.5, pane: name});
      rec.group = L.featureGroup(); drawReference(rec);
      if (meta.visible) { rec.group.addTo(map); }
    });
    (data.images || []).forEach(function (img, i) {
      var name = "atlasImage" + i, p = pane(name, img.blend ? 380 : 390 + i, true);
      if (img.blend) { p.style.mixBlendMode = img.blend; }
      var meta = {id: "image-" + i, title: img.title, legend: img.legend || [], visible: true, count: 1};
      var rec = register(meta, "image", img.group || "reference");
      rec.group = L.imageOverlay(img.url, img.bounds, {opacity: img.opacity || 0.6, interactive: false, pane: name});
      rec.group.addTo(map);
    });
    data.overlays.forEach(function (meta) {
      var kind = meta.kind === "packed" ? "packed" : meta.style;
      var rec = register(meta, kind, kind === "curated" || kind === "choropleth" ? "curated" : kind === "reference" ? "reference" : "user");
      if (kind === "packed") {
        pane("atlasPacked", 440, true);
        rec.group = new P.PackedPoints(meta.packed); rec.group.options.pane = "atlasPacked";
      } else {
        rec.group = L.featureGroup(); drawVector(rec);
      }
      if (meta.visible) { rec.group.addTo(map); }
    });
    function visible(rec) { return map.hasLayer(rec.group); }

    /* ---------- hit testing: one answer for hovers and clicks ---------- */
    function tolerance() { return L.Browser.touch && !L.Browser.pointer ? 12 : 5; }
    function hitOne(h, p) {
      var lyr = h.lyr;
      if (!lyr._map) { return false; }
      if (h.kind === "marker") { return lyr._point && p.distanceTo(lyr._point) <= lyr._radius * 1.3 + tolerance(); }
      if (!lyr._pxBounds) { return false; }
      var tol = tolerance() + (lyr.options.weight || 1) / 2;
      if (h.kind === "area") { return L.Polygon.prototype._containsPoint.call(lyr, p) || lineNear(lyr, p, tol, true); }
      return lineNear(lyr, p, tol, h.kind !== "line");
    }
    function lineNear(lyr, p, tol, closed) {
      if (!lyr._parts) { return false; }
      for (var i = 0; i < lyr._parts.length; i++) {
        var part = lyr._parts[i];
        for (var j = 0, len = part.length, k = len - 1; j < len; k = j++) {
          if (!closed && j === 0) { continue; }
          if (L.LineUtil.pointToSegmentDistance(p, part[k], part[j]) <= tol) { return true; }
        }
      }
      return false;
    }
    /* Everything under a layer point: markers first (nearest first), then areas; reference names apart. */
    function hitsAt(p, withPacked) {
      var markers = [], areas = [], ref = null, packed = [];
      A.order.slice().reverse().forEach(function (id) {
        var rec = A.layers[id];
        if (!visible(rec)) { return; }
        if (rec.kind === "packed") {
          if (withPacked === false) { return; }
          var near = rec.group.hits(p, tolerance() + 1);
          if (near.length) { packed.push({rec: rec, near: near}); }
          return;
        }
        (rec.hits || []).forEach(function (h) {
          if (!hitOne(h, p)) { return; }
          if (h.items) {
            if (h.kind === "marker") { markers.push({h: h, d: p.distanceTo(h.lyr._point)}); } else { areas.push({h: h}); }
          } else if (!ref || (h.kind === "marker" && ref.kind !== "marker")) { ref = h; }
        });
      });
      markers.sort(function (a, b) { return a.d - b.d; });
      return {markers: markers.map(function (m) { return m.h; }), areas: areas.map(function (a) { return a.h; }), ref: ref, packed: packed};
    }
    function entriesOf(items, rec, latlng) {
      return items.map(function (it) { return {item: it, rec: rec, latlng: latlng}; });
    }
    function entriesAt(hits) {
      var list = [], seen = {};
      (hits.markers.length ? hits.markers : hits.areas).forEach(function (h) {
        h.items.forEach(function (it) {
          var key = h.rec.id + "|" + (it.id || it.n) + "|" + h.latlng.lat + "|" + h.latlng.lng;
          if (!seen[key]) { seen[key] = true; list.push({item: it, rec: h.rec, latlng: h.latlng}); }
        });
      });
      return list;
    }

    var hover = el("div", "atlas-hover"); container.appendChild(hover);
    var pending = null, scheduled = false;
    map.on("mousemove", function (e) {
      pending = e;
      if (scheduled) { return; }
      scheduled = true;
      requestAnimationFrame(function () {
        scheduled = false;
        var ev = pending; if (!ev || map.dragging && map.dragging.moving && map.dragging.moving()) { return; }
        var hits = hitsAt(ev.layerPoint, false), entries = entriesAt(hits), text = null;
        if (entries.length === 1) { text = entries[0].item.n; } else if (entries.length > 1) {
          text = plural(entries.length, "feature") + " here: click for the list";
        } else if (hits.ref) { text = String(hits.ref.title).replace(/ \(([\d,]+)\)$/, ", $1 people"); }
        container.style.cursor = entries.length ? "pointer" : "";
        if (!text) { hover.style.display = "none"; return; }
        hover.textContent = text; hover.style.display = "block";
        var x = ev.containerPoint.x + 14, y = ev.containerPoint.y + 14, size = map.getSize();
        hover.style.left = Math.max(0, Math.min(x, size.x - hover.offsetWidth - 4)) + "px";
        hover.style.top = Math.max(0, Math.min(y, size.y - hover.offsetHeight - 4)) + "px";
      });
    });
    map.on("mouseout", function () { hover.style.display = "none"; });

    /* ---------- popups: one feature, or the list of everything under the click ---------- */
    /* Popups fit in the part of the map the panel leaves free; on a small screen the panel closes first. */
    function popupOptions() {
      var size = map.getSize(), right = 12;
      if (!L.DomUtil.hasClass(panel.root, "atlas-collapsed")) {
        if (size.x < 700) { panel.setOpen(false); } else { right = panel.root.offsetWidth + 20; }
      }
      var left = size.x < 600 ? 12 : 56, room = size.x - right - left - 50;  /* 50: the popup's own frame */
      return {maxWidth: Math.max(180, Math.min(380, room)), minWidth: Math.min(240, room),
        maxHeight: Math.max(160, Math.min(440, size.y - 110)), autoPanPaddingTopLeft: [left, 12],
        autoPanPaddingBottomRight: [right, 12], className: "atlas-leaflet-popup"};
    }
    function openItem(entry, latlng, back, heading) {
      var root = el("div", "atlas-popup");
      if (back) {
        var b = el("button", "atlas-back", "← " + (heading || plural(back.length, "feature") + " here"));
        b.type = "button"; b.addEventListener("click", function () { openItems(back, latlng, heading); });
        root.appendChild(b);
      }
      var node = itemNode(entry.item);
      if (entry.rec && entry.rec.meta && entry.rec.meta.title) { node.insertBefore(el("div", "atlas-layer-name", entry.rec.meta.title), node.firstChild); }
      root.appendChild(node);
      return showPopup(root, latlng || entry.latlng);
    }
    /* One popup, moved and refilled: going from a list to a feature and back never stacks two popups. */
    function showPopup(content, latlng) {
      L.DomEvent.disableClickPropagation(content);  /* a click in the popup is not a click on the map */
      A.popup = A.popup || L.popup(popupOptions());
      L.setOptions(A.popup, popupOptions());
      A.popup.setLatLng(latlng).setContent(content);  /* re-laid out and panned into view */
      if (!A.popup.isOpen()) { A.popup.openOn(map); }
      return A.popup;
    }
    function openItems(entries, latlng, heading) {
      if (!entries.length) { return null; }
      if (entries.length === 1) { return openItem(entries[0], latlng); }
      var root = el("div", "atlas-popup atlas-list");
      root.appendChild(el("h4", null, heading || plural(entries.length, "feature") + " here"));
      var ul = el("ul");
      entries.forEach(function (entry) {
        var li = el("li"), b = el("button", null, entry.item.n);
        b.type = "button";
        b.appendChild(el("span", "atlas-list-layer", " " + (entry.rec ? entry.rec.meta.title : "")));
        b.addEventListener("click", function () { openItem(entry, latlng, entries, heading); });
        li.appendChild(b); ul.appendChild(li);
      });
      root.appendChild(ul);
      return showPopup(root, latlng);
    }
    function openPacked(hit, latlng) {
      var rec = hit.rec, layer = rec.group, near = hit.near, shown = near.slice(0, 12);
      Promise.all(shown.map(function (h) { return layer.item(h.i); })).then(function (items) {
        var entries = items.map(function (it, k) { return {item: it, rec: rec, latlng: layer.latLng(shown[k].i)}; });
        if (entries.length === 1) { openItem(entries[0], entries[0].latlng); return; }
        var heading = near.length > shown.length ? near.length.toLocaleString("en") + " points here; the nearest " +
          shown.length + " (zoom in to tell them apart):" : null;
        openItems(entries, latlng, heading);
      });
    }
    map.on("click", function (e) {
      var hits = hitsAt(e.layerPoint), entries = entriesAt(hits);
      if (entries.length) { openItems(entries, entries.length === 1 ? entries[0].latlng : e.latlng); return; }
      if (hits.packed.length) { openPacked(hits.packed[0], e.latlng); }
    });

    /* ---------- labels: country, water and region names, area labels; decluttered ---------- */
    function declutter() {
      var nodes = Array.prototype.slice.call(container.querySelectorAll(".atlas-label, .atlas-city-label"))
        .filter(function (n) { return n.style.opacity !== "0"; });  /* one on its way out (Leaflet fades them) */
      var rank = function (n) { var s = n.querySelector("[data-rank]"); return s ? Number(s.getAttribute("data-rank")) : 0; };
      nodes.forEach(function (n) { n.style.visibility = ""; });
      var boxes = nodes.map(function (n) { return {n: n, r: n.getBoundingClientRect(), k: rank(n)}; });  /* one layout */
      boxes.sort(function (a, b) { return b.k - a.k; });
      var kept = [], hidden = [];
      boxes.forEach(function (b) {
        var r = b.r;
        var clash = kept.some(function (k) { return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top; });
        if (clash) { hidden.push(b.n); } else { kept.push(r); }
      });
      hidden.forEach(function (n) { n.style.visibility = "hidden"; });
    }
    var lastCityZoom = map.getZoom();
    map.on("zoomend", function () {
      var z = map.getZoom(), rec = A.layers.cities;
      if (rec && String(cityThresholds(z)) !== String(cityThresholds(lastCityZoom))) { drawReference(rec); }
      lastCityZoom = z;
    });
    map.on("zoomend", function () { drawLabels(true); });
    map.on("moveend", function () { drawLabels(false); });

    /* ---------- the panel: layers, filter, legend, features without a location ---------- */
    var panel = buildPanel();
    function section(title, open, cls) {
      var d = el("details", "atlas-section " + (cls || "")); d.open = !!open;
      var s = el("summary", null, title); d.appendChild(s);
      var body = el("div", "atlas-section-body"); d.appendChild(body);
      return {details: d, summary: s, body: body};
    }
    function buildPanel() {
      var ctl = L.control({position: "topright"});
      var root = el("div", "atlas-panel leaflet-control");
      L.DomEvent.disableClickPropagation(root); L.DomEvent.disableScrollPropagation(root);
      var toggle = el("button", "atlas-panel-toggle", "☰ Layers, filter, legend");
      toggle.type = "button"; toggle.setAttribute("aria-expanded", "true");
      var body = el("div", "atlas-panel-body");
      root.appendChild(toggle); root.appendChild(body);
      toggle.addEventListener("click", function () { setOpen(L.DomUtil.hasClass(root, "atlas-collapsed")); });
      function setOpen(open) {
        L.DomUtil[open ? "removeClass" : "addClass"](root, "atlas-collapsed");
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? "✕ Hide panel" : "☰ Layers, filter, legend";
      }
      ctl.onAdd = function () { return root; };
      return {ctl: ctl, root: root, body: body, setOpen: setOpen};
    }
    var secLayers = section("Layers", true, "atlas-layers");
    var secFilter = section("Filter and time", false, "atlas-filter");
    var secLegend = section("Legend", true, "atlas-legend");
    var secUnknown = section("Not on the map", false, "atlas-unknown");
    [secLayers, secFilter, secLegend, secUnknown].forEach(function (s) { panel.body.appendChild(s.details); });

    function layerRow(rec) {
      var row = el("label", "atlas-layer-row"), box = el("input");
      box.type = "checkbox"; box.checked = visible(rec);
      box.addEventListener("change", function () {
        if (box.checked) { map.addLayer(rec.group); } else { map.removeLayer(rec.group); }
        refresh();
      });
      row.appendChild(box);
      var first = (rec.meta.legend || [])[0];
      if (first && rec.kind !== "image") { row.appendChild(swatch(rec.kind === "curated" ? {shape: rec.meta.marker, color: "#666"} : first)); }
      row.appendChild(el("span", "atlas-layer-title", rec.meta.title));
      var count = el("span", "atlas-count"); row.appendChild(count);
      rec.row = row; rec.box = box; rec.countNode = count;
      return row;
    }
    var GROUPS = [["curated", "Curated (sourced)"], ["user", "Your layers"], ["reference", "Reference"]];
    GROUPS.forEach(function (g) {
      var recs = A.order.map(function (id) { return A.layers[id]; }).filter(function (r) { return r.groupName === g[0]; });
      if (!recs.length) { return; }
      secLayers.body.appendChild(el("div", "atlas-group", g[1]));
      recs.forEach(function (r) { secLayers.body.appendChild(layerRow(r)); });
    });
    if (data.tiles) { secLayers.body.appendChild(el("div", "atlas-note", "Online tiles: this map needs a network for them.")); }

    /* every curated item, with its layer: the filter counts and the side list read them */
    function allItems() {
      var out = [];
      A.order.forEach(function (id) {
        var rec = A.layers[id]; if (rec.kind !== "curated") { return; }
        rec.meta.fc.features.forEach(function (f) { (f.properties._items || []).forEach(function (it) { out.push({it: it, rec: rec}); }); });
        (rec.meta.unknown || []).forEach(function (u) { out.push({it: u.item, rec: rec, unknown: true}); });
      });
      return out;
    }
    var ITEMS = allItems();
    var facets = data.facets || [];
    var summary = el("div", "atlas-filter-summary"); secFilter.body.appendChild(summary);
    var when = buildWhen(); secFilter.body.appendChild(when.node);
    var facetUi = facets.map(function (fd) { var u = buildFacet(fd); secFilter.body.appendChild(u.node); return u; });
    var reset = el("button", "atlas-reset", "Show everything"); reset.type = "button";
    reset.addEventListener("click", function () { setFilter({}, {mode: "any"}); });
    secFilter.body.appendChild(reset);

    function buildFacet(fd) {
      var d = el("details", "atlas-facet"), s = el("summary"); d.appendChild(s);
      d.setAttribute("data-facet", fd.key);
      var tools = el("div", "atlas-facet-tools"), all = el("button", null, "all"), none = el("button", null, "none");
      all.type = none.type = "button"; tools.appendChild(all); tools.appendChild(none); d.appendChild(tools);
      var rows = fd.values.map(function (v) {
        var row = el("label", "atlas-facet-row"), box = el("input"); box.type = "checkbox"; box.checked = true;
        box.value = v[0]; box.addEventListener("change", function () { readFacet(); });
        row.appendChild(box); row.appendChild(el("span", null, v[1]));
        var c = el("span", "atlas-count"); row.appendChild(c); d.appendChild(row);
        return {box: box, count: c, value: v[0], label: v[1]};
      });
      function readFacet() {
        var on = rows.filter(function (r) { return r.box.checked; }).map(function (r) { return r.value; });
        A.filter.sel[fd.key] = on.length === rows.length ? null : new Set(on);
        if (!A.filter.sel[fd.key]) { delete A.filter.sel[fd.key]; }
        apply();
      }
      all.addEventListener("click", function () { rows.forEach(function (r) { r.box.checked = true; }); readFacet(); });
      none.addEventListener("click", function () { rows.forEach(function (r) { r.box.checked = false; }); readFacet(); });
      return {node: d, def: fd, rows: rows, summary: s, sync: function () {
        var sel = A.filter.sel[fd.key];
        rows.forEach(function (r) { r.box.checked = !sel || sel.has(r.value); });
        var n = rows.filter(function (r) { return r.box.checked; }).length;
        s.textContent = fd.label + ": " + (n === rows.length ? "all" : n === 0 ? "none" : n <= 2 ?
          rows.filter(function (r) { return r.box.checked; }).map(function (r) { return r.label; }).join(", ") : n + " of " + rows.length);
        rows.forEach(function (r) {
          var k = ITEMS.filter(function (x) {
            var v = fd.key === "status" ? effectiveStatus(x.it) : (x.it.f || {})[fd.key];
            var has = Array.isArray(v) ? v.indexOf(r.value) !== -1 : v === r.value;
            return has && passes(x.it, fd.key);
          }).length;
          r.count.textContent = "(" + k + ")";
          L.DomUtil[k ? "removeClass" : "addClass"](r.box.parentNode, "atlas-zero");
        });
      }};
    }

    function recordMonths() {
      var lo = null, hi = null;
      ITEMS.forEach(function (x) { (x.it.t || []).forEach(function (r) {
        var m = dateStart(r[0]).slice(0, 7); if (!lo || m < lo) { lo = m; } if (!hi || m > hi) { hi = m; }
      }); });
      return [lo, hi];
    }
    function buildWhen() {
      var node = el("div", "atlas-when"), range = recordMonths(), today = thisMonth();
      var max = range[1] && range[1] > today ? range[1] : today;
      A.filter.time.from = A.filter.time.to = range[1] || today;
      var mode = el("select"); mode.setAttribute("aria-label", "Time filter");
      [["any", "Any date (status as curated)"], ["on", "Status on a month"], ["between", "Dated in a period"]].forEach(function (o) {
        var opt = el("option", null, o[1]); opt.value = o[0]; mode.appendChild(opt);
      });
      function month(value) {
        var i = el("input"); i.type = "month"; i.min = range[0] || "2000-01"; i.max = max; i.value = value;
        i.addEventListener("change", read); return i;
      }
      var on = month(A.filter.time.on), from = month(A.filter.time.from), to = month(A.filter.time.to);
      var onRow = el("div", "atlas-when-row"), betweenRow = el("div", "atlas-when-row");
      var todayBtn = el("button", null, "this month"); todayBtn.type = "button";
      todayBtn.addEventListener("click", function () { on.value = today; read(); });
      onRow.appendChild(on); onRow.appendChild(todayBtn);
      betweenRow.appendChild(from); betweenRow.appendChild(el("span", null, " to ")); betweenRow.appendChild(to);
      var hint = el("div", "atlas-note");
      node.appendChild(el("div", "atlas-when-label", "When")); node.appendChild(mode);
      node.appendChild(onRow); node.appendChild(betweenRow); node.appendChild(hint);
      function read() {
        var t = A.filter.time; t.mode = mode.value;
        if (on.value) { t.on = on.value; }
        if (from.value) { t.from = from.value; }
        if (to.value) { t.to = to.value; }
        if (t.to < t.from) { var x = t.to; t.to = t.from; t.from = x; }
        apply();
      }
      mode.addEventListener("change", read);
      return {node: node, sync: function () {
        var t = A.filter.time;
        mode.value = t.mode; on.value = t.on; from.value = t.from; to.value = t.to;
        onRow.style.display = t.mode === "on" ? "" : "none";
        betweenRow.style.display = t.mode === "between" ? "" : "none";
        hint.textContent = t.mode === "on" ? "Each feature's status at the end of " + monthName(t.on) +
          ", from its dated records; features with no record by then are hidden." :
          t.mode === "between" ? "Features with a dated record (status, event, opening, agreement) from " +
          monthName(t.from) + " to " + monthName(t.to) + "; the status filter reads those records." : "";
      }};
    }

    function legendRows(rec, counts) {
      var sec = el("div", "atlas-legend-section"); sec.setAttribute("data-layer", rec.id);
      sec.appendChild(el("div", "atlas-legend-layer", rec.meta.title));
      (rec.meta.legend || []).forEach(function (e) {
        var row = el("div", "atlas-legend-row"), n = counts ? (counts[e.key] || 0) : null;
        if (counts && !n) { L.DomUtil.addClass(row, "atlas-zero"); }
        row.appendChild(swatch(e)); row.appendChild(el("span", null, e.label));
        if (n !== null && e.key !== undefined) { row.appendChild(el("span", "atlas-count", "(" + n + ")")); }
        sec.appendChild(row);
      });
      if (rec.meta.note) { sec.appendChild(el("div", "atlas-note", rec.meta.note)); }
      return sec;
    }
    function drawLegend() {
      var body = clear(secLegend.body), precisions = {};
      A.order.forEach(function (id) {
        var rec = A.layers[id];
        if (!visible(rec) || !(rec.meta.legend || []).length) { return; }
        var counts = null;
        if (rec.kind === "curated" || (rec.kind === "user" && rec.meta.legend[0] && rec.meta.legend[0].key !== undefined)) {
          counts = {};
          rec.shown.forEach(function (it) {
            [].concat(it.c === undefined ? [] : it.c).forEach(function (k) { counts[k] = (counts[k] || 0) + 1; });
          });
        }
        body.appendChild(legendRows(rec, counts));
        if (rec.kind === "curated") {
          rec.shown.forEach(function (it) { var k = it.f && it.f.location_precision; if (k) { precisions[k] = rec.meta.precision_labels || {}; } });
        }
      });
      var words = data.precision_words || {}, keys = Object.keys(words).filter(function (k) { return precisions[k]; });
      if (unknownShown().length) { keys.push("unknown"); }
      if (keys.length) {
        var sec = el("div", "atlas-legend-section atlas-legend-precision");
        sec.appendChild(el("div", "atlas-legend-layer", "Location precision"));
        keys.forEach(function (k) {
          var row = el("div", "atlas-legend-row"), labels = precisions[k] || {};
          row.setAttribute("data-precision", k);
          row.appendChild(precisionSwatch(k)); row.appendChild(el("span", null, labels[k] || (words[k] || [])[1]));
          sec.appendChild(row);
        });
        body.appendChild(sec);
      }
      if (!body.firstChild) { body.appendChild(el("div", "atlas-note", "No layer with a legend is switched on.")); }
    }

    function unknownShown() { return ITEMS.filter(function (x) { return x.unknown && visible(x.rec) && passes(x.it); }); }
    function drawUnknown() {
      var list = unknownShown(), body = clear(secUnknown.body);
      secUnknown.summary.textContent = "Not on the map: location unknown (" + list.length + ")";
      secUnknown.details.style.display = ITEMS.some(function (x) { return x.unknown; }) ? "" : "none";
      var ul = el("ul"), detail = el("div", "atlas-unknown-detail");
      list.forEach(function (x) {
        var li = el("li"), a = el("button", "atlas-linklike", x.it.n + " (" + x.rec.meta.title + ")"); a.type = "button";
        a.addEventListener("click", function () { clear(detail).appendChild(itemNode(x.it)); });
        li.appendChild(a); ul.appendChild(li);
      });
      body.appendChild(ul); body.appendChild(detail);
    }
    /* user layers' items without a location join the list too */
    data.overlays.forEach(function (meta) {
      if (meta.style === "curated") { return; }
      (meta.unknown || []).forEach(function (u) { ITEMS.push({it: u.item, rec: A.layers[meta.id], unknown: true}); });
    });

    function refresh() {
      var total = 0, shown = 0;
      A.order.forEach(function (id) {
        var rec = A.layers[id]; if (!rec.countNode) { return; }
        if (rec.kind === "curated") {
          var all = ITEMS.filter(function (x) { return x.rec === rec; }).length;
          total += ITEMS.filter(function (x) { return x.rec === rec && !x.unknown; }).length; shown += rec.shown.length;
          var listed = rec.shown.length + ITEMS.filter(function (x) { return x.rec === rec && x.unknown && passes(x.it); }).length;
          rec.countNode.textContent = " (" + (listed === all ? all : listed + " of " + all) + ")";
        } else if (rec.kind !== "image") {
          rec.countNode.textContent = " (" + Number(rec.meta.count).toLocaleString("en") + ")";
        }
        rec.box.checked = visible(rec);
      });
      var active = Object.keys(A.filter.sel).length + (A.filter.time.mode === "any" ? 0 : 1);
      summary.textContent = "On the map: " + shown + " of " + plural(total, "located curated feature") +
        (active ? " (" + plural(active, "filter") + " on)" : "");
      secFilter.summary.textContent = "Filter and time" + (active ? " (" + active + " on)" : "");
      when.sync(); facetUi.forEach(function (u) { u.sync(); });
      drawAreaLabels(); drawLegend(); drawUnknown();
    }
    function apply() {
      A.order.forEach(function (id) { var rec = A.layers[id]; if (rec.kind === "curated") { drawVector(rec); } });
      map.closePopup();
      refresh();
    }
    /* Set every filter at once: `sel` maps a facet to the values to keep; `time` is {mode, on, from, to}. */
    function setFilter(sel, time) {
      A.filter.sel = {};
      Object.keys(sel || {}).forEach(function (k) { A.filter.sel[k] = new Set(sel[k]); });
      A.filter.time = Object.assign({}, A.filter.time, {mode: "any"}, time || {});
      apply();
    }

    /* ---------- title bar and search ---------- */
    function buildSearch() {
      var wrap = el("div", "atlas-search"), input = el("input"), list = el("div", "atlas-search-results");
      input.type = "search"; input.placeholder = map.getSize().x < 500 ? "Search" : "Search places and features";
      input.setAttribute("aria-label", "Search places and features (Latin or Cyrillic)");
      wrap.appendChild(input); wrap.appendChild(list);
      var LIMIT = 60;
      function run() {
        if (!A.search.length) { indexSearch(); }
        clear(list); var q = fold(input.value);
        if (q.length < 2) { list.style.display = "none"; return; }
        var hits = A.search.filter(function (e) {
          var name = e.keys.some(function (k) { return k.indexOf(q) === 0; }) ? 0 :
            e.keys.some(function (k) { return k.indexOf(q) !== -1; }) ? 1 :
            e.more.some(function (k) { return k.indexOf(q) !== -1; }) ? 2 : -1;
          e.score = name + (e.primary ? 0 : 0.5);
          return name >= 0;
        });
        hits.sort(function (a, b) { return a.score - b.score || a.order - b.order || a.rank - b.rank || a.label.localeCompare(b.label); });
        var byGroup = {}, groups = [];
        hits.slice(0, LIMIT).forEach(function (h) {
          if (!byGroup[h.group]) { byGroup[h.group] = []; groups.push(h.group); }
          byGroup[h.group].push(h);
        });
        groups.forEach(function (g) {
          list.appendChild(el("div", "atlas-search-group", g));
          byGroup[g].forEach(function (h) {
            var b = el("button", "atlas-search-hit", h.label); b.type = "button";
            b.addEventListener("click", function () { list.style.display = "none"; h.open(); });
            list.appendChild(b);
          });
        });
        if (!hits.length) { list.appendChild(el("div", "atlas-search-none", "No match")); }
        if (hits.length > LIMIT) {
          list.appendChild(el("div", "atlas-search-more", (hits.length - LIMIT) + " more matches: type more letters"));
        }
        var note = el("div", "atlas-search-count", plural(hits.length, "match", "matches"));
        list.insertBefore(note, list.firstChild);
        list.style.display = "block";
      }
      input.addEventListener("input", run);
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape") { input.value = ""; run(); }
        if (ev.key === "Enter") { var first = list.querySelector(".atlas-search-hit"); if (first) { first.click(); } }
      });
      return wrap;
    }
    function indexSearch() {
      var seen = {};
      function add(e) {
        var key = e.label + "|" + e.group + "|" + e.at;
        if (seen[key]) { seen[key].keys = seen[key].keys.concat(e.keys); seen[key].more = seen[key].more.concat(e.more); return; }
        seen[key] = e; A.search.push(e);
      }
      A.order.forEach(function (id, order) {
        var rec = A.layers[id]; if (!rec.meta.fc) { return; }
        rec.meta.fc.features.forEach(function (f) {
          var p = f.properties; if (!f.geometry) { return; }
          var b = geomBounds(f.geometry), center = p._lbl ? L.latLng(p._lbl) : b.getCenter();
          var at = center.lat.toFixed(2) + "," + center.lng.toFixed(2);
          (p._items || []).forEach(function (it) {
            var f = it.f || {}, facts = [].concat(f.commodities || [], it.k || []);
            add({label: it.n, group: rec.meta.title, at: at, order: rec.kind === "curated" ? 0 : 1, rank: 0, primary: true,
              keys: [fold(it.n), fold(it.id)], more: facts.map(fold),
              open: function () { show(rec); flyTo(b); openItem({item: it, rec: rec}, center); }});
          });
          if (p._k) {
            add({label: String(p._ln || p._t || p._k[0]).replace(/ \([\d,]+\)$/, ""), group: p._g || rec.meta.title, at: at,
              order: 2, rank: -(p._p || 0), primary: false, keys: p._k.map(fold), more: [],
              open: function () { show(rec); flyTo(b); }});
          }
        });
      });
      A.search.forEach(function (e) { e.keys = e.keys.filter(Boolean); e.more = e.more.filter(Boolean); });
    }
    function show(rec) { if (!visible(rec)) { map.addLayer(rec.group); refresh(); } }
    function flyTo(b) {
      if (b.getNorthEast().equals(b.getSouthWest())) { map.setView(b.getCenter(), Math.max(map.getZoom(), 9), {animate: false}); } else { map.fitBounds(b, {maxZoom: 9, animate: false}); }
    }
    bar.appendChild(buildSearch());

    /* ---------- controls, first view ---------- */
    panel.ctl.addTo(map);
    panel.setOpen(size.x >= 900);
    if (size.y < 760) { secLayers.details.open = false; }
    if (data.minimap && L.Control.MiniMap && size.x >= 900 && size.y >= 600) {
      var mini = L.geoJSON(data.minimap, {interactive: false,
        style: function (f) { var s = f.properties._s || {}; return {color: "#666", weight: 0.5, fillColor: s.f || "#f4f1ea", fillOpacity: 1}; }});
      new L.Control.MiniMap(mini, {toggleDisplay: true, position: "bottomleft", zoomLevelOffset: -4, width: 130, height: 100}).addTo(map);
    }
    refresh();
    A.ready = Promise.all(A.order.map(function (id) { return A.layers[id].group.ready || Promise.resolve(); })).then(function () { return true; });

    window.atlas = {map: map, layers: {}, search: A.search, data: data, state: A, ready: A.ready,
      setFilter: setFilter, openItems: openItems, hitsAt: hitsAt, panel: panel,
      counts: function () {
        var out = {};
        A.order.forEach(function (id) {
          var rec = A.layers[id], g = rec.group;
          out[id] = rec.kind === "packed" ? g._n : rec.kind === "image" ? 1 : rec.drawn;
        });
        return out;
      },
      shown: function () {
        var out = {};
        A.order.forEach(function (id) { var rec = A.layers[id]; if (rec.kind === "curated") { out[id] = rec.shown.length; } });
        return out;
      }};
    A.order.forEach(function (id) { window.atlas.layers[id] = A.layers[id].group; });
    window.atlas.initMs = performance.now() - started;
    return window.atlas;
  };
})();
