// Plan a deployment: the form becomes the JSON the API expects (times are UTC).
"use strict";

(() => {
  const form = document.getElementById("plan-form");
  if (!form) return;

  function cameras(text) {
    const result = {};
    text.split("\n").map((l) => l.trim()).filter(Boolean).forEach((line, index) => {
      const at = line.indexOf("=");
      if (at > 0) result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      else result[`cam${index + 1}`] = line;
    });
    return result;
  }
  const utc = (value) => (value.length === 16 ? `${value}:00+00:00` : `${value}+00:00`);

  const summary = document.getElementById("plan-error");

  // The field's own label, without its hints: "Threshold", "Cameras".
  function fieldName(input) {
    const label = input.closest("label");
    const text = label ? label.firstChild.textContent : input.name;
    return text.split(/[(:,]/)[0].trim() || input.name;
  }
  // Pydantic's "Value error, the window must..." becomes "the window must...".
  const plain = (msg) => String(msg || "not valid").replace(/^(Value|Assertion) error,\s*/i, "");

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach((e) => e.remove());
    form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    summary.hidden = true;
    summary.replaceChildren();
  }

  function markField(input, text) {
    const note = document.createElement("span");
    note.className = "field-error";
    note.id = `error-${input.name}`;
    note.dataset.testid = "field-error";
    note.dataset.field = input.name;
    note.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    input.after(note);
  }

  // Each refusal next to the field it concerns ("Field Ends (UTC): ...") and in a summary by
  // the button, scrolled into view; never the raw "invalid request: body: ..." text.
  function showErrors(err) {
    const lines = [];
    const details = (err.data && err.data.errors) || [];
    details.forEach((e) => {
      const name = (e.loc || []).filter((p) => p !== "body")[0];
      const input = name !== undefined ? form.elements[name] : null;
      if (input && input.name) {
        const text = `Field ${fieldName(input)}: ${plain(e.msg)}`;
        markField(input, text);
        lines.push(text);
      } else {
        lines.push(plain(e.msg));
      }
    });
    if (!lines.length) lines.push(err.message);
    summary.replaceChildren(...lines.map((text) => {
      const line = document.createElement("span");
      line.className = "field-error";
      line.textContent = text;
      return line;
    }));
    summary.hidden = false;
    const first = form.querySelector("[aria-invalid=true]") || summary;
    first.scrollIntoView({ block: "center" });
    first.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const f = form.elements;
    const plan = {
      name: f.name.value,
      purpose: f.purpose.value,
      location_name: f.location_name.value,
      latitude: Number(f.latitude.value),
      longitude: Number(f.longitude.value),
      area_description: f.area_description.value,
      starts_at: utc(f.starts_at.value),
      ends_at: utc(f.ends_at.value),
      cameras: cameras(f.cameras.value),
      watchlist_id: Number(f.watchlist_id.value),
      threshold: Number(f.threshold.value),
      dpia_reference: f.dpia_reference.value,
      objective: f.objective.value || null,
      expected_footfall: f.expected_footfall.value ? Number(f.expected_footfall.value) : null,
    };
    try {
      const created = await LFR.api("POST", "/api/deployments", plan);
      LFR.flash(`Deployment ${created.id} planned. It needs another officer's authorisation.`);
      window.location.assign(`/deployments/${created.id}`);
    } catch (err) {
      showErrors(err);
    } finally {
      button.disabled = false;
    }
  });
})();
