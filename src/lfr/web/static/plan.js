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

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
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
      };
      const created = await LFR.api("POST", "/api/deployments", plan);
      LFR.flash(`Deployment ${created.id} planned. It needs another officer's authorisation.`);
      window.location.assign(`/deployments/${created.id}`);
    });
  });
})();
