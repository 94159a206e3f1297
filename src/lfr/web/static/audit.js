// Oversight: verify the audit chain and show the result. A mistyped known head is the server's
// 400 ("the head you typed is not valid: ..."), shown apart from a broken chain.
"use strict";

(() => {
  const form = document.getElementById("verify-form");
  const result = document.getElementById("verify-result");
  if (!form) return;

  function report(kind, text) {
    result.dataset.ok = kind;
    result.textContent = text;
    result.hidden = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
      result.hidden = true;
      const knownHead = form.elements.known_head.value.trim();
      let verified;
      try {
        verified = await LFR.api("POST", "/api/audit/verify", { known_head: knownHead || null });
      } catch (err) {
        if (err.status === 400) {
          report("invalid", err.message);
          return;
        }
        throw err;
      }
      if (verified.ok) {
        report("true", `Chain intact: ${verified.entries} entries. Head to keep: ${verified.entries}:${verified.head_hash}`);
      } else {
        const where = verified.first_bad_seq ? ` at entry ${verified.first_bad_seq}` : "";
        report("false", `Chain BROKEN${where}: ${verified.problem}`);
      }
    });
  });
})();
