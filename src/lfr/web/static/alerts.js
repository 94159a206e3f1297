// The live alert queue: server-sent events, no reload. Each alert id is shown once; after a
// reconnect the browser sends Last-Event-ID and the server sends every alert missed since.
// A decision needs both faces: the buttons wait until both pictures have loaded (the server
// refuses too), and every decision or outcome asks once more before it is sent.
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
  const PICTURES = ["probe", "enrolled"];
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

  function element(tag, props) {
    return Object.assign(document.createElement(tag), props);
  }

  // --- what the card says -------------------------------------------------------------------

  function statusLabel(alert) {
    if (alert.status === "pending" && alert.deployment_ended) return "deployment ended – not reviewed";
    return STATUS[alert.status] || alert.status;
  }

  function nextStep(alert) {
    if (alert.outcome) return "Outcome recorded: nothing more to do.";
    if (alert.deployment_ended && (alert.status === "pending" || alert.status === "awaiting_second")) {
      return "The deployment has ended: review the faces for the record; nobody is on site to act.";
    }
    switch (alert.status) {
      case "pending":
        return mayAdjudicate
          ? "Compare the two faces, then confirm the match or reject it as a false alert."
          : "Do not act yet: an operator is comparing the faces.";
      case "awaiting_second":
        return "Do not act yet: a second operator must compare the faces and give their verdict.";
      case "confirmed":
        return "Approach as briefed. Verify the person's identity by other means before any action.";
      case "false_alert":
        return "No action: this is not the person on the watchlist.";
      default:
        return "";
    }
  }

  // One scale: similarity 0-100 %, and the threshold (a distance) turned into the same scale.
  function percent(fraction) {
    return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
  }

  function scoreText(alert) {
    return `${percent(alert.score)} (alert threshold ${percent(1 - alert.threshold)})`;
  }

  function place(alert) {
    const where = alert.location_name || `deployment ${alert.deployment_id}`;
    return alert.area_description ? `${where} — ${alert.area_description}` : where;
  }

  // --- the two pictures ---------------------------------------------------------------------

  function facesLoaded(card) {
    return PICTURES.every((p) => card.querySelector(`figure[data-picture="${p}"]`)?.dataset.state === "loaded");
  }

  function showPicture(card, picture, attempt) {
    const figure = card.querySelector(`figure[data-picture="${picture}"]`);
    const img = figure.querySelector("img");
    const failed = figure.querySelector(".picture-failed");
    const retry = figure.querySelector(".retry");
    figure.dataset.state = "loading";
    failed.hidden = true;
    retry.hidden = true;
    img.onload = () => {
      figure.dataset.state = "loaded";
      gateDecisions(card);
    };
    img.onerror = () => {
      figure.dataset.state = "failed";
      failed.hidden = false;
      retry.hidden = false;
      retry.onclick = () => showPicture(card, picture, attempt + 1);
      gateDecisions(card);
    };
    const retryParam = attempt ? `?attempt=${attempt}` : "";
    img.src = `/api/alerts/${encodeURIComponent(card.dataset.alertId)}/media/${picture}${retryParam}`;
    gateDecisions(card);
  }

  // Confirm/False/Agree/Disagree stay disabled until both faces are on screen.
  function gateDecisions(card) {
    const ready = facesLoaded(card);
    card.dataset.faces = ready ? "loaded" : "missing";
    card.querySelectorAll("button[data-needs-faces]").forEach((b) => { b.disabled = !ready; });
    const hint = card.querySelector('[data-testid="alert-faces-needed"]');
    if (hint) hint.hidden = ready;
  }

  // --- decisions, each confirmed once more ----------------------------------------------------

  async function act(card, path, body) {
    const buttons = card.querySelectorAll(".actions button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const alert = await LFR.api("POST", `/api/alerts/${card.dataset.alertId}/${path}`, body);
      render(alert);
      LFR.show("");
    } catch (err) {
      LFR.show(err.message, true);
      actions(card, card.alert);
    }
  }

  // Replace the card's buttons with the question and "yes"/"back": nothing is sent without it.
  function ask(card, question, yesLabel, send) {
    const box = card.querySelector(".actions");
    const prompt = element("p", { className: "ask", textContent: question });
    prompt.dataset.testid = "alert-ask";
    box.replaceChildren(
      prompt,
      button(yesLabel, "alert-ask-yes", "ok", send),
      button("Back", "alert-ask-back", "secondary", () => actions(card, card.alert)),
    );
    box.querySelector('[data-testid="alert-ask-back"]').focus();
  }

  function decision(card, label, testid, cls, question, yesLabel, path, body) {
    const b = button(label, testid, cls, () => ask(card, question, yesLabel, () => act(card, path, body)));
    b.dataset.needsFaces = "yes";
    return b;
  }

  function decisionButtons(card, alert) {
    if (alert.status === "pending") {
      return [
        decision(card, "Confirm match", "alert-confirm", "ok",
          "Confirm: the camera's face and the watchlist image are the same person?",
          "Yes, same person", "adjudicate", { decision: "confirmed" }),
        decision(card, "False alert", "alert-reject", "danger",
          "Reject: these are NOT the same person (a false alert)?",
          "Yes, not the same person", "adjudicate", { decision: "false_alert" }),
      ];
    }
    if (alert.blind_review) { // the first verdict is hidden: give your own
      return [
        decision(card, "Same person", "alert-second-agree", "ok",
          "Your own verdict: the same person?", "Yes, same person", "second-confirm", { agree: true }),
        decision(card, "Not the same person", "alert-second-disagree", "danger",
          "Your own verdict: NOT the same person?", "Yes, not the same person", "second-confirm", { agree: false }),
      ];
    }
    return [
      decision(card, "Agree: a match", "alert-second-agree", "ok",
        "Agree with the first operator: the same person?", "Yes, agree", "second-confirm", { agree: true }),
      decision(card, "Disagree", "alert-second-disagree", "danger",
        "Disagree: NOT the same person (a false alert)?", "Yes, disagree", "second-confirm", { agree: false }),
    ];
  }

  function outcomeButtons(card, alert) {
    const heading = element("h3", { className: "outcome-heading", textContent: "Outcome of the encounter" });
    heading.dataset.testid = "outcome-heading";
    const choices = OUTCOMES.filter(([value]) => !(value === "arrested" && alert.status === "false_alert"));
    // An arrest needs the corroboration used written in: it goes through the encounter form.
    return [heading, ...choices.map(([value, label]) => button(label, `outcome-${value}`, "secondary", () => (
      value === "arrested" ? openEncounter(card, value) : ask(
        card, `Record the outcome "${label}"? It cannot be changed afterwards.`, `Yes, record ${label.toLowerCase()}`,
        () => act(card, "outcome", { outcome: value }),
      ))))];
  }

  // The encounter section of the card: stopped or not, times, identity check, outcome.
  function encounterButton(card) {
    return button("Record the encounter", "encounter-open", "secondary", () => openEncounter(card, "no_action"));
  }

  function openEncounter(card, outcome) {
    const onDone = async () => render(await LFR.api("GET", `/api/alerts/${card.dataset.alertId}`));
    const box = card.querySelector(".actions");
    box.replaceChildren(
      LFREncounter.form({ alertId: card.dataset.alertId, outcome, onDone }),
      button("Back", "encounter-back", "secondary", () => actions(card, card.alert)),
    );
  }

  function actions(card, alert) {
    const box = card.querySelector(".actions");
    box.replaceChildren();
    const deciding = mayAdjudicate && (alert.status === "pending"
      || (alert.status === "awaiting_second" && alert.adjudicated_by !== me));
    if (deciding && alert.has_media) {
      const hint = element("p", { className: "hint faces-needed", textContent: "Both faces must load before you can decide." });
      hint.dataset.testid = "alert-faces-needed";
      box.append(...decisionButtons(card, alert), hint);
    } else if ((alert.status === "confirmed" || alert.status === "false_alert") && !alert.outcome && mayOutcome) {
      box.append(...outcomeButtons(card, alert), encounterButton(card));
    }
    if (alert.outcome) {
      const p = element("p", { textContent: `Outcome: ${alert.outcome.replace("_", " ")} (${alert.outcome_by})` });
      p.dataset.testid = "alert-outcome";
      box.append(p);
    }
    gateDecisions(card);
  }

  // --- new-alert signals: tab title and an opt-in beep ---------------------------------------

  const baseTitle = document.title;
  const openedAt = Date.now();
  const SKEW_MS = 5000; // the server's and this device's clocks may differ a little
  const sound = document.getElementById("alert-sound");
  let unseen = 0;
  let audio = null;

  function announce() {
    unseen += 1;
    document.title = `(${unseen}) New alert – OpenLFR`;
    if (sound?.checked) beep();
  }

  function seen() {
    unseen = 0;
    document.title = baseTitle;
  }

  function beep() {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }

  if (sound) {
    sound.checked = localStorage.getItem("lfr-alert-sound") === "on";
    sound.addEventListener("change", () => {
      localStorage.setItem("lfr-alert-sound", sound.checked ? "on" : "off");
      if (sound.checked) beep(); // a user gesture unlocks audio, and the officer hears the tone
    });
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) seen(); });
  document.addEventListener("pointerdown", seen);
  document.addEventListener("keydown", seen);

  // --- the card -----------------------------------------------------------------------------

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
      // Only an alert raised since this page opened is news (not the queue sent on connect).
      if (fresh && Date.parse(alert.raised_at) >= openedAt - SKEW_MS) announce();
    }
    card.alert = alert;
    card.dataset.status = alert.status;
    card.dataset.deploymentId = String(alert.deployment_id);
    card.dataset.deploymentEnded = alert.deployment_ended ? "yes" : "no";
    const set = (testid, text) => { card.querySelector(`[data-testid="${testid}"]`).textContent = text; };
    set("alert-subject", alert.subject_name);
    set("alert-location", place(alert));
    set("alert-next-step", nextStep(alert));
    set("alert-reference", alert.subject_reference);
    set("alert-category", alert.category);
    set("alert-reason", alert.reason || "—");
    set("alert-score", scoreText(alert));
    set("alert-camera", alert.camera);
    set("alert-time", LFR.when(alert.raised_at));
    const badge = card.querySelector('[data-testid="alert-status"]');
    badge.textContent = statusLabel(alert);
    badge.className = `badge status-${alert.status}`;
    const review = alert.adjudicated_by
      ? `${alert.adjudicated_by}${alert.second_confirmer ? ` and ${alert.second_confirmer}` : ""}`
      : "not yet reviewed";
    set("alert-review", review);
    if (isNew && alert.has_media) PICTURES.forEach((p) => showPicture(card, p, 0));
    if (isNew && !alert.has_media) {
      card.querySelector(".faces").replaceChildren(element("p", { className: "empty", textContent: "pictures erased (retention)" }));
    }
    actions(card, alert);
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

  // --- the "Handled by me" history -----------------------------------------------------------

  const PAGE = 20;
  const handled = document.getElementById("handled");
  let offset = 0;

  function handledItem(alert) {
    const item = element("li", { className: "handled-item" });
    item.dataset.testid = "handled-alert";
    item.dataset.alertId = alert.id;
    item.dataset.status = alert.status;
    const outcome = alert.outcome ? `, outcome ${alert.outcome.replace("_", " ")}` : "";
    item.append(
      element("strong", { textContent: `${alert.subject_name} (${alert.subject_reference})` }),
      element("span", { textContent: ` ${STATUS[alert.status] || alert.status}${outcome} · ${place(alert)} · ${LFR.when(alert.raised_at)}` }),
    );
    return item;
  }

  async function loadHandled() {
    try {
      const page = await LFR.api("GET", `/api/alerts/handled?limit=${PAGE}&offset=${offset}`);
      const list = document.getElementById("handled-list");
      list.replaceChildren(...page.alerts.map(handledItem));
      if (!page.alerts.length) list.append(element("li", { className: "empty", textContent: "You have not handled any alert yet." }));
      const last = Math.min(page.total, offset + page.alerts.length);
      document.getElementById("handled-range").textContent = page.total ? `${offset + 1}–${last} of ${page.total}` : "";
      document.getElementById("handled-newer").disabled = offset === 0;
      document.getElementById("handled-older").disabled = last >= page.total;
    } catch (err) {
      LFR.show(err.message, true);
    }
  }

  function showTab(which) {
    const onHandled = which === "handled";
    queue.hidden = onHandled;
    handled.hidden = !onHandled;
    document.getElementById("tab-queue").setAttribute("aria-pressed", String(!onHandled));
    document.getElementById("tab-handled").setAttribute("aria-pressed", String(onHandled));
    if (onHandled) loadHandled();
  }

  document.getElementById("tab-queue")?.addEventListener("click", () => showTab("queue"));
  document.getElementById("tab-handled")?.addEventListener("click", () => showTab("handled"));
  document.getElementById("handled-newer")?.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); loadHandled(); });
  document.getElementById("handled-older")?.addEventListener("click", () => { offset += PAGE; loadHandled(); });

  connect();
})();
