// The page's charts, drawn as SVG by hand: bars over time with a value axis, and horizontal bars.
import { count, label, utc } from "./format.js";

const svgNS = "http://www.w3.org/2000/svg";

function svg(tag, attributes, text) {
  const node = document.createElementNS(svgNS, tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round step for about `ticks` lines up to `max`: 1, 2 or 5 times a power of ten. */
function niceStep(max, ticks) {
  const raw = Math.max(max, 1) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * power).find((k) => k >= raw);
  return Math.max(1, step);
}

/**
 * Bars over time. `points` are {time: Date, value}; `unit` names the bucket (minute … month) for the
 * labels; `title` describes the chart to screen readers, who get the numbers as a table beside it.
 */
export function timeBars(points, { unit, title, valueName, width: drawn }) {
  // Drawn at the width it is shown at, so its text stays readable on a phone.
  const width = Math.max(280, Math.round(drawn || 720));
  const height = width < 500 ? 180 : 220;
  const left = 48;
  const bottom = 24;
  const top = 8;
  const max = Math.max(0, ...points.map((point) => point.value));
  const step = niceStep(max, 4);
  const ceiling = Math.max(step, Math.ceil(max / step) * step);
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const total = points.reduce((sum, point) => sum + point.value, 0);
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    "aria-label": `${title}: ${count(total)} ${valueName} in ${points.length} buckets, at most ${count(max)}`,
  });
  for (let value = 0; value <= ceiling; value += step) {
    const y = top + plotHeight - (value / ceiling) * plotHeight;
    root.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, count(value)));
  }
  const slot = plotWidth / Math.max(points.length, 1);
  const gap = slot > 4 ? Math.min(2, slot * 0.2) : 0;
  points.forEach((point, index) => {
    const barHeight = (point.value / ceiling) * plotHeight;
    const bar = svg("rect", {
      x: left + index * slot + gap / 2,
      y: top + plotHeight - barHeight,
      width: Math.max(slot - gap, 0.5),
      height: barHeight,
      class: "bar",
      "data-bucket": point.time.toISOString(),
      "data-value": point.value,
    });
    bar.append(svg("title", {}, `${label(point.time)} (${utc(point.time)}): ${count(point.value)} ${valueName}`));
    root.append(bar);
  });
  const marks = points.length <= 1 ? [0] : [0, Math.floor((points.length - 1) / 2), points.length - 1];
  for (const index of new Set(marks)) {
    const point = points[index];
    if (!point) continue;
    const anchor = index === 0 ? "start" : index === points.length - 1 ? "end" : "middle";
    const x = index === 0 ? left : index === points.length - 1 ? width - 8 : left + (index + 0.5) * slot;
    root.append(svg("text", { x, y: height - 6, class: "axis", "text-anchor": anchor }, label(point.time, unit)));
  }
  return root;
}

/** Horizontal bars: `rows` are {label, value, note}; the longest bar is the largest value. */
export function rowBars(rows, { title }) {
  const list = document.createElement("ol");
  list.className = "row-bars";
  list.setAttribute("aria-label", title);
  const max = Math.max(1, ...rows.map((row) => row.value));
  for (const row of rows) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "row-label";
    name.textContent = row.label;
    const track = document.createElement("span");
    track.className = "row-track";
    const fill = document.createElement("span");
    fill.className = "row-fill";
    fill.style.width = `${(row.value / max) * 100}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "row-value num";
    value.dataset.value = String(row.value);
    value.textContent = row.note ? `${count(row.value)} · ${row.note}` : count(row.value);
    item.append(name, track, value);
    list.append(item);
  }
  return list;
}

/** The numbers behind a chart as a table, folded away: for screen readers and for copying. */
export function dataTable(points, { unit, valueName }) {
  const details = document.createElement("details");
  details.className = "chart-table";
  const summary = document.createElement("summary");
  summary.textContent = "Numbers as a table";
  const table = document.createElement("table");
  table.className = "data";
  const head = document.createElement("tr");
  for (const [text, className] of [[unit, null], [valueName, "num"]]) {
    const cell = document.createElement("th");
    cell.scope = "col";
    cell.textContent = text;
    if (className) cell.className = className;
    head.append(cell);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const body = document.createElement("tbody");
  for (const point of points.filter((point) => point.value)) {
    const row = document.createElement("tr");
    const when = document.createElement("th");
    when.scope = "row";
    when.textContent = label(point.time);
    when.title = utc(point.time);
    const value = document.createElement("td");
    value.className = "num";
    value.textContent = count(point.value);
    row.append(when, value);
    body.append(row);
  }
  table.append(thead, body);
  details.append(summary, table);
  return details;
}
