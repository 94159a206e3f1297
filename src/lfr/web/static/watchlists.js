// Watchlists: create one, add a person with photos (per-file problems listed), remove an entry.
"use strict";

(() => {
  const create = document.getElementById("watchlist-create");
  if (create) {
    create.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(create, async () => {
        const made = await LFR.api("POST", "/api/watchlists", { name: create.elements.name.value });
        LFR.flash(`Watchlist "${made.name}" created.`);
        window.location.assign(`/watchlists/${made.id}`);
      });
    });
  }

  const section = document.getElementById("watchlist");
  const id = section ? section.dataset.watchlistId : "";
  const upload = document.getElementById("entry-upload");
  const files = document.getElementById("upload-files");

  function listFiles(problems) {
    files.replaceChildren(...(problems || []).map((p) => {
      const li = document.createElement("li");
      li.dataset.testid = "upload-file-error";
      li.dataset.file = p.file;
      li.textContent = `${p.file}: ${p.problem}`;
      return li;
    }));
  }

  if (upload && id) {
    upload.addEventListener("submit", (event) => {
      event.preventDefault();
      listFiles([]);
      LFR.busy(upload, async () => {
        try {
          const result = await LFR.api("POST", `/api/watchlists/${id}/entries`, new FormData(upload));
          const skipped = result.skipped.length ? ` ${result.skipped.length} photo(s) skipped.` : "";
          LFR.flash(`${result.reference} added with ${result.images_enrolled} photo(s).${skipped}`);
          if (result.skipped.length) {
            sessionStorage.setItem("lfr-skipped", JSON.stringify(result.skipped));
          }
          window.location.reload();
        } catch (err) {
          listFiles(err.data && err.data.files);
          throw err;
        }
      });
    });
    const skipped = sessionStorage.getItem("lfr-skipped");
    if (skipped) {
      sessionStorage.removeItem("lfr-skipped");
      listFiles(JSON.parse(skipped));
    }
  }

  document.querySelectorAll("form[data-remove]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(form, async () => {
        const reference = form.dataset.remove;
        await LFR.api("POST", `/api/watchlists/${id}/entries/${encodeURIComponent(reference)}/remove`,
          { reason: form.elements.reason.value });
        LFR.flash(`${reference} removed; their templates and images are wiped.`);
        window.location.reload();
      });
    });
  });
})();
