// Oversight: verify the audit chain and show the result.
"use strict";

(() => {
  const form = document.getElementById("verify-form");
  const result = document.getElementById("verify-result");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
      result.hidden = true;
      const knownHead = form.elements.known_head.value.trim();
      const report = await LFR.api("POST", "/api/audit/verify", { known_head: knownHead || null });
      result.dataset.ok = String(report.ok);
      result.textContent = report.ok
        ? `Chain intact: ${report.entries} entries, head ${report.head_hash}`
        : `Chain BROKEN${report.first_bad_seq ? ` at entry ${report.first_bad_seq}` : ""}: ${report.problem}`;
      result.hidden = false;
    });
  });
})();
