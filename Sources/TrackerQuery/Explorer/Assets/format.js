// Numbers and times for people: grouped digits, compact above a million, local times with the
// UTC time on hover.

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const shortTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
// Day, week and month buckets are UTC days: named by their UTC date, whatever the viewer's zone.
const bucketDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/** 1,234 below a million, 1.2M from there on. */
export function count(value) {
  const number = Number(value);
  return Math.abs(number) >= 1e6 ? compact.format(number) : whole.format(number);
}

/** "1 failed event", "2 failed events". */
export function counted(value, singular, plural = `${singular}s`) {
  return `${count(value)} ${Number(value) === 1 ? singular : plural}`;
}

export function ratio(value) {
  return percent.format(Number(value));
}

/** "2026-12-03 11:42:33 UTC", for the title of a local time. */
export function utc(date) {
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A <time> in the viewer's zone, with the UTC time on hover. */
export function timeElement(iso, style = "full") {
  const date = new Date(iso);
  const element = document.createElement("time");
  element.dateTime = date.toISOString();
  element.title = utc(date);
  element.textContent = label(date, style);
  return element;
}

/** A bucket's label: the local time of day for minutes and hours, the UTC date for days and longer. */
export function label(date, style) {
  if (style === "minute" || style === "hour") return shortTime.format(date);
  if (style === "day" || style === "week" || style === "month") return bucketDate.format(date);
  return dateTime.format(date);
}

/** An element with a class and text, the building block of every view. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** A number in a cell: formatted text, the exact value in `data-value` and on hover. */
export function countElement(tag, value) {
  const node = element(tag, "num", count(value));
  node.dataset.value = String(value);
  node.title = whole.format(Number(value));
  return node;
}
