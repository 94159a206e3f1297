// The live alert queue: server-sent events, no reload. Each alert id is shown once; after a
// reconnect the browser sends Last-Event-ID and the server sends every alert missed since.
"use strict";

(() => {
  const queue = document.getElementById("queue");
  if (!queue) return;
  const me = queue.dataset.username;
  const mayAdjudicate = queue.dataset.adjudicate === "yes";
  const mayOutcome = queue.dataset.outcome === "yes";
  const deployment = queue.dataset.deployment;
  const status = document.getElementById("stream-status");
  const template = document.getElementById("alert-card");
  const cards = new Map();
  let lastId = "";

  const STATUS = {
    pending: "waiting for review",
    awaiting_second: "waiting for a second operator",
    confirmed: "confirmed match",
    false_alert: "false alert",
  };
  const OUTCOMES = [["engaged", "Engaged"], ["arrested", "Arrested"], ["no_action", "No action"]];

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function button(label, testid, cls, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.testid = testid;
    if (cls) b.className = cls;
    b.addEventListener("click", () => onClick(b));
    return b;
  }

  async function act(card, path, body) {
    const buttons = card.querySelectorAll(".actions button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const alert = await LFR.api("POST", `/api/alerts/${card.dataset.alertId}/${path}`, body);
      render(alert);
      LFR.show("");
    } catch (err) {
      LFR.show(err.message, true);
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function actions(card, alert) {
    const box = card.querySelector(".actions");
    box.replaceChildren();
    if (alert.status === "pending" && mayAdjudicate) {
      box.append(
        button("Confirm match", "alert-confirm", "ok", () => act(card, "adjudicate", { decision: "confirmed" })),
        button("False alert", "alert-reject", "danger", () => act(card, "adjudicate", { decision: "false_alert" })),
      );
    } else if (alert.status === "awaiting_second" && mayAdjudicate && alert.adjudicated_by !== me) {
      box.append(
        button("Agree: a match", "alert-second-agree", "ok", () => act(card, "second-confirm", { agree: true })),
        button("Disagree", "alert-second-disagree", "danger", () => act(card, "second-confirm", { agree: false })),
      );
    } else if ((alert.status === "confirmed" || alert.status === "false_alert") && !alert.outcome && mayOutcome) {
      OUTCOMES.forEach(([value, label]) => {
        box.append(button(label, `outcome-${value}`, "secondary", () => act(card, "outcome", { outcome: value })));
      });
    }
    if (alert.outcome) {
      const p = document.createElement("p");
      p.dataset.testid = "alert-outcome";
      p.textContent = `Outcome: ${alert.outcome.replace("_", " ")} (${alert.outcome_by})`;
      box.append(p);
    }
  }

  async function loadFaces(card, id) {
    try {
      const media = await LFR.api("GET", `/api/alerts/${id}/media`);
      card.querySelector('[data-testid="alert-probe"]').src = media.probe;
      card.querySelector('[data-testid="alert-enrolled"]').src = media.enrolled;
    } catch (err) {
      card.querySelector(".faces").replaceChildren(
        Object.assign(document.createElement("p"), { className: "empty", textContent: err.message }),
      );
    }
  }

  function render(alert, fresh = false) {
    let card = cards.get(alert.id);
    const isNew = !card;
    if (isNew) {
      card = template.content.firstElementChild.cloneNode(true);
      card.dataset.alertId = alert.id;
      cards.set(alert.id, card);
      queue.prepend(card);
      document.getElementById("queue-empty")?.remove();
      if (fresh) card.classList.add("fresh");
    }
    card.dataset.status = alert.status;
    card.dataset.deploymentId = String(alert.deployment_id);
    const set = (testid, text) => { card.querySelector(`[data-testid="${testid}"]`).textContent = text; };
    set("alert-subject", alert.subject_name);
    set("alert-reference", alert.subject_reference);
    set("alert-category", alert.category);
    set("alert-reason", alert.reason || "—");
    set("alert-score", `${alert.score.toFixed(2)} (distance ${alert.distance.toFixed(3)}, threshold ${alert.threshold.toFixed(2)})`);
    set("alert-camera", `${alert.camera} · deployment ${alert.deployment_id}`);
    set("alert-time", LFR.when(alert.raised_at));
    const badge = card.querySelector('[data-testid="alert-status"]');
    badge.textContent = STATUS[alert.status] || alert.status;
    badge.className = `badge status-${alert.status}`;
    const review = alert.adjudicated_by
      ? `${alert.adjudicated_by}${alert.second_confirmer ? ` and ${alert.second_confirmer}` : ""}`
      : "not yet reviewed";
    set("alert-review", review);
    actions(card, alert);
    if (isNew && alert.has_media) loadFaces(card, alert.id);
    if (isNew && !alert.has_media) {
      card.querySelector(".faces").replaceChildren(
        Object.assign(document.createElement("p"), { className: "empty", textContent: "pictures erased (retention)" }),
      );
    }
  }

  function connect() {
    const params = new URLSearchParams();
    if (deployment) params.set("deployment_id", deployment);
    if (lastId) params.set("after", lastId);
    const source = new EventSource(`/api/alerts/stream${params.toString() ? `?${params}` : ""}`);
    let opened = false;
    source.addEventListener("open", () => {
      opened = true;
      setStatus("live", "Live: new alerts appear here as they are raised.");
    });
    source.addEventListener("alert", (event) => {
      lastId = event.lastEventId || lastId;
      render(JSON.parse(event.data), opened);
    });
    source.addEventListener("alert.update", (event) => {
      const alert = JSON.parse(event.data);
      if (cards.has(alert.id)) render(alert);
    });
    source.addEventListener("session.expired", () => {
      source.close();
      setStatus("error", "Your session has ended: log in again to keep receiving alerts.");
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        // refused (logged out, session expired) or the server is down: try again shortly,
        // resuming after the last alert shown
        setStatus("error", "Disconnected: reconnecting… (if this persists, log in again)");
        setTimeout(connect, 5000);
      } else {
        setStatus("connecting", "Reconnecting…");
      }
    });
  }

  connect();
})();
