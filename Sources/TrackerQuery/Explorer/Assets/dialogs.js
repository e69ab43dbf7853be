// Shows `dialog` until its form is submitted with a value (`submit` answers undefined to keep it
// open) or it is closed; resolves that value, or `cancelled`.
export function showDialog(dialog, { submit, cancelled, focus }) {
  const form = dialog.querySelector("form");
  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      const value = submit();
      if (value !== undefined) finish(value);
    };
    const onClose = () => finish(cancelled);
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
    dialog.querySelector("[data-cancel]").onclick = () => dialog.close();
    dialog.showModal();
    focus.focus();
  });
}

// A confirmation in the page's own dialog: resolves true when the person confirms.
export function confirmAction({ title, body, action }) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("h2").textContent = title;
  dialog.querySelector(".dialog-body").replaceChildren(...body);
  dialog.querySelector("[data-confirm]").textContent = action;
  return showDialog(dialog, { submit: () => true, cancelled: false, focus: dialog.querySelector("[data-cancel]") });
}

/** A message in a view: status for progress and results, alert for errors. */
export function say(box, text, kind = "info") {
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = !text;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
}
