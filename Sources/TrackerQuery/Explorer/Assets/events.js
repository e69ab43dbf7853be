// One stored event as a list item: when, what, who, and its properties on demand.
import { element, timeElement } from "./format.js";

export function eventItem(event) {
  const item = element("li", "event");
  item.dataset.messageId = event.message_id;
  const head = element("div", "event-head");
  head.append(timeElement(event.timestamp));
  head.append(element("span", `type type-${event.type}`, event.type));
  head.append(element("strong", "event-name", event.event || `(${event.type})`));
  const who = element("span", "who");
  if (event.user_id) who.append(element("span", "id", `user ${event.user_id}`));
  if (event.anonymous_id) who.append(element("span", "id", `anon ${event.anonymous_id}`));
  head.append(who, element("span", "source", event.source));
  item.append(head);
  const details = element("details");
  details.append(element("summary", null, "Properties and context"));
  const shown = {};
  for (const key of ["properties", "traits", "context", "session_id", "received_at", "message_id"]) {
    if (event[key] !== null && event[key] !== undefined) shown[key] = event[key];
  }
  details.append(element("pre", "json", JSON.stringify(shown, null, 2)));
  item.append(details);
  return item;
}
