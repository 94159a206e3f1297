// Irreversible actions are confirmed in a modal <dialog> that asks for a reason. A button with
// data-opens="<dialog id>" opens it (focus goes to its first field); "Back" (data-closes) or
// Escape backs out and focus returns to the button. Errors show inside the dialog, which
// covers the page's message bar.
"use strict";

const LFRDialogs = (() => {
  function open(dialog, opener) {
    const error = dialog.querySelector("[data-dialog-error]");
    if (error) error.hidden = true;
    dialog.showModal();
    const first = dialog.querySelector("input:not([type=hidden]), select, textarea, button");
    if (first) first.focus();
    dialog.addEventListener("close", () => { if (opener) opener.focus(); }, { once: true });
  }

  function fail(dialog, message) {
    const box = dialog.querySelector("[data-dialog-error]");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-opens]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.opens);
      if (dialog) {
        event.preventDefault();
        open(dialog, opener);
      }
      return;
    }
    const closer = event.target.closest("[data-closes]");
    if (closer && closer.closest("dialog")) closer.closest("dialog").close();
  });

  // Run ``work`` for a form inside a dialog: its error shows in the dialog (and the message bar).
  async function submit(form, work) {
    const dialog = form.closest("dialog");
    return LFR.busy(form, async () => {
      try {
        return await work();
      } catch (err) {
        if (dialog) fail(dialog, err.message);
        throw err;
      }
    });
  }

  return { open, fail, submit };
})();
