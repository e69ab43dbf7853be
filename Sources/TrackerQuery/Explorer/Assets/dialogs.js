// A confirmation in the page's own dialog: resolves true when the person confirms.
export function confirmAction({ title, body, action }) {
  const dialog = document.getElementById("confirm-dialog");
  const form = dialog.querySelector("form");
  dialog.querySelector("h2").textContent = title;
  dialog.querySelector(".dialog-body").replaceChildren(...body);
  const confirm = dialog.querySelector("[data-confirm]");
  confirm.textContent = action;
  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener("submit", submit);
      dialog.removeEventListener("close", cancel);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const submit = (event) => {
      event.preventDefault();
      finish(true);
    };
    const cancel = () => finish(false);
    form.addEventListener("submit", submit);
    dialog.addEventListener("close", cancel);
    dialog.querySelector("[data-cancel]").onclick = () => dialog.close();
    dialog.showModal();
    dialog.querySelector("[data-cancel]").focus();
  });
}

/** A message in a view: status for progress and results, alert for errors. */
export function say(box, text, kind = "info") {
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = !text;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
}
