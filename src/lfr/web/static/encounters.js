// The encounter form on the field officer's phone: for an alert (a section of its card) or a
// stop no alert caused (the "Record a stop without an alert" form of the alerts page). The
// server applies the profile's rules (an arrest needs the corroboration used; a long stop
// needs a reason) and its refusal, naming the rule's source, is shown as it is.
"use strict";

const LFREncounter = (() => {
  const CHECKS = [
    ["identity_document", "Identity document"],
    ["police_database", "Police database check"],
    ["officer_knowledge", "Officer's own knowledge"],
    ["other", "Other (write it in)"],
    ["none", "Not checked"],
  ];
  const OUTCOMES = [["no_action", "No action"], ["engaged", "Engaged"], ["arrested", "Arrested"]];

  // A datetime-local value ("2026-12-01T10:05") for this device's time zone.
  function localValue(date) {
    return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  function field(label, control) {
    const wrap = document.createElement("label");
    wrap.append(label, control);
    return wrap;
  }

  function control(tag, name, testid, props = {}) {
    const el = Object.assign(document.createElement(tag), { name, ...props });
    el.dataset.testid = testid;
    return el;
  }

  function select(name, testid, choices, chosen) {
    const el = control("select", name, testid);
    for (const [value, text] of choices) el.append(new Option(text, value, false, value === chosen));
    return el;
  }

  // A form for one encounter; ``alertId`` or ``deploymentId`` says what caused it.
  function form({ alertId = null, deploymentId = null, outcome = "no_action", onDone }) {
    const now = new Date();
    const f = document.createElement("form");
    f.className = "encounter-form";
    f.dataset.testid = "encounter-form";
    const stopped = control("input", "stopped", "encounter-stopped", { type: "checkbox", checked: !alertId });
    const start = control("input", "started_at", "encounter-start", {
      type: "datetime-local", required: true, value: localValue(new Date(now.getTime() - 5 * 60000)),
    });
    const end = control("input", "ended_at", "encounter-end", { type: "datetime-local", value: localValue(now) });
    const detail = control("input", "identity_check_detail", "encounter-check-detail", { maxLength: 2000 });
    const reason = control("textarea", "reason", "encounter-reason", { maxLength: 2000, rows: 2 });
    const parts = [
      ...(alertId ? [field("The person was stopped ", stopped)] : []),
      field("Start", start),
      field("End", end),
      field("How identity was checked", select("identity_check", "encounter-check", CHECKS, "identity_document")),
      field("Check or corroboration, written in (needed for an arrest or 'other')", detail),
      field("Outcome", select("outcome", "encounter-outcome", OUTCOMES, outcome)),
      field(alertId ? "Reason (needed for a long stop)" : "Reason for the stop (e.g. covering their face)", reason),
    ];
    if (!alertId) {
      const deployment = control("input", "deployment_id", "encounter-deployment", {
        type: "number", min: 1, required: true, value: deploymentId || "",
      });
      parts.unshift(field("Deployment", deployment));
    }
    const submit = control("button", "", "encounter-submit", { type: "submit", textContent: "Record the encounter" });
    f.append(...parts, submit);
    f.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(f, async () => {
        const data = new FormData(f);
        const body = {
          alert_id: alertId,
          deployment_id: alertId ? null : Number(data.get("deployment_id")),
          stopped: alertId ? stopped.checked : true,
          started_at: new Date(data.get("started_at")).toISOString(),
          ended_at: data.get("ended_at") ? new Date(data.get("ended_at")).toISOString() : null,
          identity_check: data.get("identity_check"),
          identity_check_detail: data.get("identity_check_detail"),
          outcome: data.get("outcome"),
          reason: data.get("reason"),
        };
        const recorded = await LFR.api("POST", "/api/encounters", body);
        LFR.show(`Encounter ${recorded.id} recorded.`);
        onDone(recorded);
      });
    });
    return f;
  }

  // The page's "Record a stop without an alert" form, for field officers.
  document.addEventListener("DOMContentLoaded", () => {
    const slot = document.getElementById("stop-without-alert");
    if (!slot) return;
    const mount = () => slot.querySelector(".slot").replaceChildren(
      form({ deploymentId: slot.dataset.deployment || null, outcome: "no_action", onDone: mount }),
    );
    mount();
  });

  return { form };
})();
