// A deployment's actions (authorise, signage, start, run, end and cancel - confirmed in a
// dialog with a reason -, assign and unassign officers) and its camera health with warnings.
"use strict";

(() => {
  const panel = document.getElementById("deployment");
  if (!panel) return;
  const id = panel.dataset.deploymentId;
  const base = `/api/deployments/${id}`;

  const requests = {
    authorise: (f) => ["authorise", { note: f.note.value, threshold_reason: f.threshold_reason.value }],
    signage: (f) => ["signage", { reference: f.reference.value }],
    start: () => ["start", { emergency: false }],
    run: () => ["run", undefined],
    end: (f) => ["end", { reason: f.reason.value }],
    cancel: (f) => ["cancel", { reason: f.reason.value }],
    assign: (f) => ["assignments", { username: f.username.value }],
  };
  const done = {
    authorise: "Authorised.",
    signage: "Signage confirmed.",
    start: null,
    run: "Cameras starting.",
    end: "Deployment ended: its watchlist snapshot is wiped and its record published.",
    cancel: "Deployment cancelled.",
    assign: "Officer assigned: they now see this deployment's alerts.",
  };

  document.querySelectorAll("form[data-action]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const action = form.dataset.action;
      LFRDialogs.submit(form, async () => {
        const [path, body] = requests[action](form);
        const result = await LFR.api("POST", `${base}/${path}`, body);
        LFR.flash(done[action] || (result && result.message) || "Done.");
        window.location.reload();
      });
    });
  });

  document.querySelectorAll("form[data-unassign]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = form.dataset.unassign;
      LFR.busy(form, async () => {
        await LFR.api("DELETE", `${base}/assignments/${encodeURIComponent(name)}`);
        LFR.flash(`${name} unassigned: they no longer see this deployment's alerts.`);
        window.location.reload();
      });
    });
  });

  const rows = document.getElementById("camera-rows");
  if (!rows) return;
  const warnings = document.getElementById("camera-warnings");
  let warned = "";
  // Only a change is written: the list is a live region, re-announced on every write.
  function showWarnings(cameras) {
    const found = cameras.filter((c) => c.warning).map((c) => `${c.camera}: ${c.warning}`);
    if (found.join("\n") === warned) return;
    warned = found.join("\n");
    warnings.replaceChildren(...found.map((text) => {
      const line = document.createElement("p");
      line.className = "message error";
      line.dataset.testid = "camera-warning";
      line.textContent = text;
      return line;
    }));
  }
  const cell = (text) => {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  };
  // A camera on an edge node: its state, its node, and whether the node is online.
  const where = (c) => !c.node ? c.state :
    `${c.state} on ${c.node} (${c.node_online ? "online" : "offline"}, last seen ${LFR.when(c.node_last_seen)})`;
  async function refresh() {
    try {
      const cameras = await LFR.api("GET", `/api/cameras?deployment_id=${id}`);
      if (!cameras.length) return;
      rows.replaceChildren(...cameras.map((c) => {
        const tr = document.createElement("tr");
        tr.dataset.testid = "camera-row";
        tr.dataset.camera = c.camera;
        tr.dataset.state = c.state;
        tr.dataset.warning = c.warning ? "yes" : "no";
        tr.dataset.node = c.node || "";
        tr.append(cell(c.camera), cell(where(c)), cell(c.fps.toFixed(1)), cell(String(c.frames)),
          cell(String(c.frames_dropped)), cell(String(c.reconnects)), cell(LFR.when(c.last_frame_at)),
          cell(c.error || ""));
        return tr;
      }));
      showWarnings(cameras);
    } catch (err) {
      // keep the last table; the message bar reports failed actions, not background polls
    }
  }
  refresh();
  setInterval(refresh, 2000);
})();
