/* Time: dates of records, a feature's status on a month, the time control. Dates are "YYYY", "YYYY-MM" or
   "YYYY-MM-DD"; a partial date is the period it names. */
import {el} from "./dom.js";
import {t} from "./words.js";

export function dateStart(d) { return d.length === 4 ? d + "-01-01" : d.length === 7 ? d + "-01" : d; }
export function dateEnd(d) { return d.length === 4 ? d + "-12-31" : d.length === 7 ? d + "-31" : d; }
export function thisMonth(today) {
  var now = today || new Date();
  return now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0");
}
export function monthName(m) {
  return t("time.month_year", {month: t("time.month." + Number(m.slice(5, 7))), year: m.slice(0, 4)});
}

/* A feature's status under the time filter: as curated, or (mode "on") the last dated status by that month. */
export function effectiveStatus(it, time) {
  if (time.mode !== "on") { return it.f ? it.f.status : undefined; }
  var end = dateEnd(time.on), status = null;
  (it.t || []).forEach(function (r) { if (r[1] && dateStart(r[0]) <= end) { status = r[1]; } });
  return status;
}

/* Whether an item passes the time filter ("between": a dated record in the period, of a chosen status). */
export function timeOk(it, filter) {
  var time = filter.time;
  if (time.mode === "on") { return effectiveStatus(it, time) !== null; }
  if (time.mode !== "between") { return true; }
  var from = dateStart(time.from), to = dateEnd(time.to), sel = filter.sel.status;
  return (it.t || []).some(function (r) {
    if (!(dateStart(r[0]) <= to && dateEnd(r[0]) >= from)) { return false; }
    return !sel || sel.has(r[1] || (it.f || {}).status);
  });
}

/* The first and last month of the items' dated records. */
export function recordMonths(items) {
  var lo = null, hi = null;
  items.forEach(function (x) {
    (x.it.t || []).forEach(function (r) {
      var m = dateStart(r[0]).slice(0, 7);
      if (!lo || m < lo) { lo = m; }
      if (!hi || m > hi) { hi = m; }
    });
  });
  return [lo, hi];
}

/* The time control of the filter section; a change calls A.apply(). */
export function buildWhen(A) {
  var node = el("div", "atlas-when"), range = recordMonths(A.items), today = thisMonth();
  var max = range[1] && range[1] > today ? range[1] : today;
  A.filter.time.from = A.filter.time.to = range[1] || today;
  var mode = el("select");
  mode.setAttribute("aria-label", t("time.aria"));
  ["any", "on", "between"].forEach(function (o) {
    var opt = el("option", null, t("time.mode." + o));
    opt.value = o; mode.appendChild(opt);
  });
  function month(value) {
    var i = el("input");
    i.type = "month"; i.min = range[0] || "2000-01"; i.max = max; i.value = value;
    i.addEventListener("change", read);
    return i;
  }
  var on = month(A.filter.time.on), from = month(A.filter.time.from), to = month(A.filter.time.to);
  var onRow = el("div", "atlas-when-row"), betweenRow = el("div", "atlas-when-row");
  var todayBtn = el("button", null, t("time.this_month"));
  todayBtn.type = "button";
  todayBtn.addEventListener("click", function () { on.value = today; read(); });
  onRow.appendChild(on); onRow.appendChild(todayBtn);
  betweenRow.appendChild(from); betweenRow.appendChild(el("span", null, t("time.to"))); betweenRow.appendChild(to);
  var hint = el("div", "atlas-note");
  node.appendChild(el("div", "atlas-when-label", t("time.label"))); node.appendChild(mode);
  node.appendChild(onRow); node.appendChild(betweenRow); node.appendChild(hint);
  function read() {
    var time = A.filter.time;
    time.mode = mode.value;
    if (on.value) { time.on = on.value; }
    if (from.value) { time.from = from.value; }
    if (to.value) { time.to = to.value; }
    if (time.to < time.from) { var x = time.to; time.to = time.from; time.from = x; }
    A.apply();
  }
  mode.addEventListener("change", read);
  return {node: node, sync: function () {
    var time = A.filter.time;
    mode.value = time.mode; on.value = time.on; from.value = time.from; to.value = time.to;
    onRow.style.display = time.mode === "on" ? "" : "none";
    betweenRow.style.display = time.mode === "between" ? "" : "none";
    hint.textContent = time.mode === "on" ? t("time.hint.on", {month: monthName(time.on)}) :
      time.mode === "between" ? t("time.hint.between", {from: monthName(time.from), to: monthName(time.to)}) : "";
  }};
}
