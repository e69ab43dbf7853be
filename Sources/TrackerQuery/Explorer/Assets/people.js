// People: one person's events, newest first, paged by cursor; erasure after a confirmation that
// says what will go, then the counts the API deleted.
import * as api from "./api.js";
import { confirmAction, say } from "./dialogs.js";
import { count, counted, element } from "./format.js";
import { eventItem } from "./events.js";

const pageSize = 25;

export const people = {
  mount(panel, { navigate }) {
    const form = element("form", "toolbar filters");
    form.setAttribute("aria-label", "Find a person");
    const kindLabel = element("label", null, "Id kind");
    const kind = element("select");
    kind.id = "people-kind";
    kindLabel.htmlFor = kind.id;
    for (const [value, text] of [["user_id", "User id"], ["anonymous_id", "Anonymous id"]]) {
      const option = element("option", null, text);
      option.value = value;
      kind.append(option);
    }
    const idLabel = element("label", null, "Id");
    const id = element("input");
    id.id = "people-id";
    id.type = "search";
    id.required = true;
    id.autocomplete = "off";
    idLabel.htmlFor = id.id;
    const find = element("button", "primary", "Show events");
    find.type = "submit";
    form.append(kindLabel, kind, idLabel, id, find);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      navigate({ person: id.value.trim(), kind: kind.value === "user_id" ? null : kind.value });
    });
    this.kind = kind;
    this.id = id;
    this.notice = element("p", "notice");
    this.notice.id = "people-notice";
    this.notice.hidden = true;
    this.summary = element("div", "person-summary");
    this.list = element("ol", "events person-events");
    this.list.setAttribute("aria-label", "Events, newest first");
    this.older = element("button", null, "Show older events");
    this.older.type = "button";
    this.older.id = "people-older";
    this.older.hidden = true;
    this.older.addEventListener("click", () => this.page());
    panel.append(form, this.notice, this.summary, this.list, this.older);
  },

  async show(params, signal) {
    this.signal = signal;
    this.person = params.get("person") || "";
    this.filter = params.get("kind") === "anonymous_id" ? "anonymous_id" : "user_id";
    this.kind.value = this.filter;
    this.id.value = this.person;
    this.list.replaceChildren();
    this.summary.replaceChildren();
    this.older.hidden = true;
    this.cursor = null;
    this.loaded = 0;
    say(this.notice, this.person ? "" : "Enter a user id or an anonymous id to see that person's events.");
    if (!this.person) return;
    const heading = element("h2", null, this.person);
    const erase = element("button", "danger", "Erase this person…");
    erase.type = "button";
    erase.id = "people-erase";
    erase.addEventListener("click", () => this.erase());
    this.counter = element("p", "card-note");
    this.summary.append(heading, this.counter, erase);
    await this.page();
  },

  async page() {
    const signal = this.signal;
    this.older.disabled = true;
    try {
      const answer = await api.get(
        "/v1/events",
        { [this.filter]: this.person, limit: pageSize, cursor: this.cursor },
        signal,
      );
      if (signal.aborted) return;
      for (const event of answer.data) this.list.append(eventItem(event));
      this.loaded += answer.data.length;
      this.cursor = answer.next_cursor;
      this.older.hidden = !this.cursor;
      const more = this.cursor ? ", older ones below" : "";
      this.counter.textContent = this.loaded
        ? `${counted(this.loaded, "event")} shown, newest first${more}.`
        : `No stored events with ${this.filter} ${this.person}.`;
    } catch (error) {
      if (!signal.aborted) say(this.notice, error.message, "error");
    } finally {
      this.older.disabled = false;
    }
  },

  /** Counts a person's stored events by one id kind, reading pages of 1,000 up to a bound. */
  async countEvents(filter) {
    let total = 0;
    let cursor = null;
    for (let pages = 0; pages < 20; pages += 1) {
      const answer = await api.get("/v1/events", { [filter]: this.person, limit: 1000, cursor }, this.signal);
      total += answer.data.length;
      cursor = answer.next_cursor;
      if (!cursor) return count(total);
    }
    return `more than ${count(total)}`;
  },

  async erase() {
    const person = this.person;
    let asUser = "?";
    let asAnonymous = "?";
    try {
      [asUser, asAnonymous] = await Promise.all([this.countEvents("user_id"), this.countEvents("anonymous_id")]);
    } catch (error) {
      say(this.notice, error.message, "error");
      return;
    }
    const list = element("ul", "erase-list");
    for (const text of [
      `${asUser} stored events with user id ${person}`,
      `${asAnonymous} stored events with anonymous id ${person}`,
      `stored alias calls whose previous id is ${person}`,
      "messages naming this person that wait to be stored",
      "failed events naming this person",
      "the person's daily, weekly and monthly activity (the stats drop the erased events)",
    ]) {
      list.append(element("li", null, text));
    }
    const body = [
      element("p", null, `Erasing “${person}” permanently deletes, in one transaction:`),
      list,
      element("p", "warning", "This cannot be undone."),
    ];
    const confirmed = await confirmAction({ title: "Erase this person?", body, action: "Erase permanently" });
    if (!confirmed) return;
    try {
      const answer = await api.request("DELETE", `/v1/users/${encodeURIComponent(person)}`);
      const deleted = answer.deleted;
      say(
        this.notice,
        `Erased ${person}: ${counted(deleted.events, "event")}, ${counted(deleted.staged, "waiting message")}, ` +
          `${counted(deleted.failed_events, "failed event")} and ${counted(deleted.active_days, "active day")} deleted.`,
        "success",
      );
      this.list.replaceChildren();
      this.older.hidden = true;
      this.counter.textContent = "No stored events: this person was erased.";
    } catch (error) {
      say(this.notice, error.message, "error");
    }
  },
};
