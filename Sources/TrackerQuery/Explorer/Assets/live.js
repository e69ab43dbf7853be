// Live: events as the workers store them, from the server-sent event stream; filters by event name
// and person, pause holds new events back until resumed.
import * as api from "./api.js";
import { say } from "./dialogs.js";
import { counted, element } from "./format.js";
import { eventItem } from "./events.js";

const kept = 200;

export const live = {
  mount(panel, { navigate }) {
    const form = element("form", "toolbar filters");
    form.setAttribute("aria-label", "Live filters");
    const fields = {};
    for (const [key, text] of [["event", "Event"], ["user_id", "User id"]]) {
      const label = element("label", null, text);
      const input = element("input");
      input.id = `live-${key}`;
      input.name = key;
      input.type = "search";
      input.autocomplete = "off";
      label.htmlFor = input.id;
      fields[key] = input;
      form.append(label, input);
    }
    const apply = element("button", null, "Filter");
    apply.type = "submit";
    this.pause = element("button", "toggle", "Pause");
    this.pause.type = "button";
    this.pause.setAttribute("aria-pressed", "false");
    form.append(apply, this.pause);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      navigate({ event: fields.event.value.trim() || null, user_id: fields.user_id.value.trim() || null });
    });
    this.pause.addEventListener("click", () => this.setPaused(!this.paused));
    this.fields = fields;
    this.state = element("p", "stream-state");
    this.state.setAttribute("role", "status");
    this.notice = element("p", "notice");
    this.notice.hidden = true;
    this.list = element("ol", "events live-events");
    this.list.setAttribute("aria-label", "Newest events first");
    this.list.setAttribute("aria-live", "off");
    this.empty = element("p", "empty", "Waiting for new events…");
    panel.append(form, this.state, this.notice, this.empty, this.list);
    this.paused = false;
    this.held = [];
  },

  setPaused(paused) {
    this.paused = paused;
    this.pause.textContent = paused ? "Resume" : "Pause";
    this.pause.setAttribute("aria-pressed", String(paused));
    if (!paused) {
      const held = this.held;
      this.held = [];
      for (const event of held) this.add(event);
    }
    this.describe();
  },

  describe() {
    const base = { open: "Connected: new events appear as they are stored.", retrying: this.detail, stopped: this.detail };
    let text = base[this.connection] || "Connecting…";
    if (this.paused) text = `Paused · ${counted(this.held.length, "new event")} held back. ${text}`;
    this.state.textContent = text;
    this.state.dataset.state = this.connection || "connecting";
  },

  add(event) {
    if (this.paused) {
      this.held.push(event);
      if (this.held.length > kept) this.held.shift();
      this.describe();
      return;
    }
    this.empty.hidden = true;
    this.list.prepend(eventItem(event));
    while (this.list.children.length > kept) this.list.lastElementChild.remove();
  },

  show(params, signal) {
    const filters = { event: params.get("event") || "", user_id: params.get("user_id") || "" };
    this.fields.event.value = filters.event;
    this.fields.user_id.value = filters.user_id;
    this.list.replaceChildren();
    this.held = [];
    this.empty.hidden = false;
    this.connection = null;
    say(this.notice, "");
    this.describe();
    api.follow("/v1/events/stream", filters, {
      signal,
      onEvent: (data) => {
        try {
          this.add(JSON.parse(data));
        } catch {
          // A line that is not an event (a future event type) is not shown.
        }
      },
      onState: (state, detail) => {
        this.connection = state;
        this.detail = detail;
        if (state === "missing") {
          say(this.notice, detail, "error");
          this.empty.hidden = true;
        }
        this.describe();
      },
    });
  },

  hide() {
    // A view left paused comes back live.
    this.held = [];
    this.setPaused(false);
  },
};
