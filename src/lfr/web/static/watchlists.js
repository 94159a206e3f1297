// Watchlists: create one; add a person with photos (each checked here first, with progress;
// problem files listed by name and left out); remove an entry (confirmed with a reason).
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

  const progress = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-progress-bar");
  const progressLabel = document.getElementById("upload-progress-label");

  function showProgress(text, done, total) {
    progress.hidden = false;
    progressLabel.textContent = text;
    if (total === undefined) {
      bar.removeAttribute("value"); // indeterminate: the server is enrolling
    } else {
      bar.max = total;
      bar.value = done;
    }
  }

  // Each photo is decoded here first: a file that is not an image is reported by name and left
  // out, so it never blocks the others (and nobody has to pick the files again).
  async function readable(photos) {
    const good = [];
    const bad = [];
    for (const [index, file] of photos.entries()) {
      showProgress(`Checking photo ${index + 1} of ${photos.length}: ${file.name}`, index, photos.length);
      try {
        const bitmap = await createImageBitmap(file);
        bitmap.close();
        good.push(file);
      } catch {
        bad.push({ file: file.name, problem: "not an image (left out; the other photos are enrolled)" });
      }
    }
    showProgress(`Checked ${photos.length} of ${photos.length} photos`, photos.length, photos.length);
    return [good, bad];
  }

  function formWith(photos) {
    const data = new FormData(upload);
    data.delete("photos");
    photos.forEach((file) => data.append("photos", file, file.name));
    return data;
  }

  async function send(photos, problems) {
    showProgress(`Enrolling ${photos.length} photo(s)…`);
    try {
      return await LFR.api("POST", `/api/watchlists/${id}/entries`, formWith(photos));
    } catch (err) {
      const refused = new Set(((err.data && err.data.files) || []).map((f) => f.file));
      const left = photos.filter((file) => !refused.has(file.name));
      // The server refused some files by name (unreadable or too large): retry without them.
      if ((err.status === 400 || err.status === 413) && refused.size && left.length) {
        problems.push(...err.data.files);
        return send(left, problems);
      }
      problems.push(...((err.data && err.data.files) || []));
      throw err;
    }
  }

  if (upload && id) {
    upload.addEventListener("submit", (event) => {
      event.preventDefault();
      listFiles([]);
      LFR.busy(upload, async () => {
        const [good, problems] = await readable(Array.from(upload.elements.photos.files));
        listFiles(problems);
        try {
          if (!good.length) throw new Error("none of the chosen files is an image (nothing was added)");
          const result = await send(good, problems);
          const skipped = [...problems, ...result.skipped];
          const note = skipped.length ? ` ${skipped.length} file(s) left out: see the list.` : "";
          LFR.flash(`${result.reference} added with ${result.images_enrolled} photo(s).${note}`);
          if (skipped.length) sessionStorage.setItem("lfr-skipped", JSON.stringify(skipped));
          window.location.reload();
        } catch (err) {
          listFiles(problems);
          progress.hidden = true;
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

  const removeForm = document.getElementById("entry-remove-form");
  document.querySelectorAll('[data-opens="remove-dialog"]').forEach((button) => {
    button.addEventListener("click", () => {
      removeForm.dataset.reference = button.dataset.reference;
      removeForm.reset();
      document.querySelector('[data-testid="remove-who"]').textContent =
        `${button.dataset.name} (${button.dataset.reference})`;
    });
  });
  if (removeForm) {
    removeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      LFRDialogs.submit(removeForm, async () => {
        const reference = removeForm.dataset.reference;
        await LFR.api("POST", `/api/watchlists/${id}/entries/${encodeURIComponent(reference)}/remove`,
          { reason: removeForm.elements.reason.value });
        LFR.flash(`${reference} removed; their templates and images are wiped.`);
        window.location.reload();
      });
    });
  }
})();
