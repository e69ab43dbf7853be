// Failed events: what the workers refused, by reason, with the message as it arrived; replay one,
// or every failed event of a reason.
import * as api from "./api.js";
import { confirmAction, say } from "./dialogs.js";
import { counted, element, timeElement } from "./format.js";

const reasons = [
  "invalid_json", "unknown_type", "missing_user", "missing_event", "missing_group_id", "missing_previous_id",
  "bad_timestamp", "field_too_long", "invalid_field", "outside_retention", "poison_message",
];
const pageSize = 25;

export const failed = {
  mount(panel, { navigate }) {
    const form = element("form", "toolbar filters");
    form.setAttribute("aria-label", "Failed events filter");
    const label = element("label", null, "Reason");
    const reason = element("select");
    reason.id = "failed-reason";
    label.htmlFor = reason.id;
    for (const value of ["", ...reasons]) {
      const option = element("option", null, value || "Every reason");
      option.value = value;
      reason.append(option);
    }
    reason.addEventListener("change", () => navigate({ reason: reason.value || null }));
    this.replayAll = element("button", "primary", "Replay all of this reason…");
    this.replayAll.type = "button";
    this.replayAll.id = "failed-replay-all";
    this.replayAll.addEventListener("click", () => this.replayReason());
    form.addEventListener("submit", (event) => event.preventDefault());
    form.append(label, reason, this.replayAll);
    this.reason = reason;
    this.notice = element("p", "notice");
    this.notice.id = "failed-notice";
    this.notice.hidden = true;
    this.counter = element("p", "card-note");
    this.list = element("ol", "failed-events");
    this.list.setAttribute("aria-label", "Failed events, newest first");
    this.older = element("button", null, "Show older failed events");
    this.older.type = "button";
    this.older.hidden = true;
    this.older.addEventListener("click", () => this.page());
    panel.append(form, this.notice, this.counter, this.list, this.older);
  },

  async show(params, signal) {
    this.signal = signal;
    this.current = params.get("reason") || "";
    this.reason.value = this.current;
    this.replayAll.hidden = !this.current;
    this.list.replaceChildren();
    this.cursor = null;
    this.loaded = 0;
    say(this.notice, "");
    await this.page();
  },

  async page() {
    const signal = this.signal;
    try {
      const answer = await api.get("/v1/failed-events", { reason: this.current, limit: pageSize, cursor: this.cursor }, signal);
      if (signal.aborted) return;
      for (const row of answer.data) this.list.append(this.item(row));
      this.loaded += answer.data.length;
      this.cursor = answer.next_cursor;
      this.older.hidden = !this.cursor;
      const which = this.current ? ` with reason ${this.current}` : "";
      this.counter.textContent = this.loaded
        ? `${counted(this.loaded, "failed event")}${which} shown${this.cursor ? ", older ones below" : ""}.`
        : `No failed events${which}.`;
    } catch (error) {
      if (!signal.aborted) say(this.notice, error.message, "error");
    }
  },

  item(row) {
    const item = element("li", "failed-event card");
    item.dataset.id = String(row.id);
    const head = element("div", "event-head");
    const reasonLink = element("a", "reason", row.reason);
    reasonLink.href = `?view=failed&reason=${encodeURIComponent(row.reason)}`;
    reasonLink.addEventListener("click", (event) => {
      event.preventDefault();
      this.reason.value = row.reason;
      this.reason.dispatchEvent(new Event("change"));
    });
    head.append(reasonLink, timeElement(row.received_at));
    if (row.source) head.append(element("span", "source", row.source));
    const replay = element("button", null, "Replay");
    replay.type = "button";
    replay.setAttribute("aria-label", `Replay failed event ${row.id}`);
    replay.addEventListener("click", () => this.replay({ ids: [row.id] }, item));
    head.append(replay);
    item.append(head, element("p", "detail", row.detail));
    const payload = element("details");
    payload.append(element("summary", null, "Payload as received"));
    let text = row.payload;
    try {
      text = JSON.stringify(JSON.parse(row.payload), null, 2);
    } catch {
      // Not JSON (that may be why it failed): shown as it arrived.
    }
    payload.append(element("pre", "json", text));
    item.append(payload);
    return item;
  },

  async replayReason() {
    const reason = this.current;
    const body = [
      element("p", null, `Every failed event with reason ${reason} goes back to the workers to be stored again.`),
      element("p", null, "Those that fail again come back here with a new id."),
    ];
    if (!(await confirmAction({ title: `Replay all ${reason}?`, body, action: "Replay all" }))) return;
    await this.replay({ reason });
  },

  async replay(selection, item) {
    try {
      const answer = await api.request("POST", "/v1/failed-events/replay", { body: selection });
      say(this.notice, `Re-staged ${counted(answer.replayed, "failed event")} for the workers.`, "success");
      if (item) item.remove();
      else this.list.replaceChildren();
    } catch (error) {
      say(this.notice, error.message, "error");
    }
  },
};
