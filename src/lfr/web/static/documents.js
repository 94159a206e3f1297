// Register a document version: the file is hashed in the browser (SHA-256); only the hash is sent.
(() => {
  const form = document.getElementById("document-form");
  if (!form) return;
  const hex = (buffer) =>
    Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
      const field = (name) => form.elements[name].value.trim();
      const file = form.elements.file.files[0];
      const sha256 = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
      const body = {
        kind: field("kind"),
        version: field("version"),
        title: field("title"),
        sha256,
        review_by: field("review_by"),
      };
      if (body.kind === "fria") {
        body.fria_fields = {};
        for (const key of ["a", "b", "c", "d", "e", "f"]) body.fria_fields[key] = field(`fria_${key}`);
      }
      await LFR.api("POST", "/api/documents", body);
      LFR.flash("The document version is registered.");
      window.location.reload();
    });
  });
})();
