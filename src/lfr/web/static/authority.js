// The independent authority's decision: the document is hashed in the browser (SHA-256); only
// the hash is sent. Unticking cameras or entries narrows a grant; all ticked sends none (as planned).
// The force's request (on the deployment page): both parts of the justification.
(() => {
  const form = document.getElementById("authority-request-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
      const body = {
        justification_harm: form.elements.justification_harm.value.trim(),
        justification_rights: form.elements.justification_rights.value.trim(),
      };
      await LFR.api("POST", `/api/deployments/${form.dataset.deployment}/authority`, body);
      LFR.flash("Submitted to the independent authority.");
      window.location.reload();
    });
  });
})();

(() => {
  const form = document.getElementById("decision-form");
  if (!form) return;
  const hex = (buffer) =>
    Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  const ticked = (name) => {
    const boxes = Array.from(form.querySelectorAll(`input[name="${name}"]`));
    const chosen = boxes.filter((box) => box.checked).map((box) => box.value);
    return chosen.length === boxes.length ? null : chosen;
  };
  const moment = (name) => {
    const value = form.elements[name].value;
    return value ? new Date(value).toISOString() : null;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
      const file = form.elements.file.files[0];
      const grant = form.elements.grant.value === "yes";
      const body = {
        grant,
        reasons: form.elements.reasons.value.trim(),
        document_ref: form.elements.document_ref.value.trim(),
        document_sha256: hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())),
      };
      if (grant) {
        Object.assign(body, {
          starts_at: moment("starts_at"),
          ends_at: moment("ends_at"),
          cameras: ticked("camera"),
          entries: ticked("entry"),
        });
      }
      await LFR.api("POST", `/api/deployments/${form.dataset.deployment}/authority/decision`, body);
      LFR.flash(grant ? "Granted." : "Refused.");
      window.location.reload();
    });
  });
})();
