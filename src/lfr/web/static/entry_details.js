// Watchlist entries' offence, maximum sentence, date of birth and child reason (managers), and
// the approval of an under-18 entry (authorising officers).
"use strict";

(() => {
  const section = document.getElementById("watchlist");
  const id = section ? section.dataset.watchlistId : "";
  const entryUrl = (reference) => `/api/watchlists/${id}/entries/${encodeURIComponent(reference)}`;

  const form = document.getElementById("entry-details");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(form, async () => {
        const f = form.elements;
        const body = {};
        if (f.offence.value) body.offence = f.offence.value;
        if (f.max_sentence_years.value) body.max_sentence_years = Number(f.max_sentence_years.value);
        if (f.date_of_birth.value) body.date_of_birth = f.date_of_birth.value;
        if (f.child_reason.value.trim()) body.child_reason = f.child_reason.value.trim();
        await LFR.api("POST", `${entryUrl(f.reference.value)}/details`, body);
        LFR.flash(`${f.reference.value} updated.`);
        window.location.reload();
      });
    });
  }

  document.querySelectorAll("[data-approve-child]").forEach((button) => {
    button.addEventListener("click", () => {
      LFR.busy(button.closest("td") || button, async () => {
        await LFR.api("POST", `${entryUrl(button.dataset.approveChild)}/approve-child`, {});
        LFR.flash(`${button.dataset.approveChild} approved.`);
        window.location.reload();
      });
    });
  });
})();
