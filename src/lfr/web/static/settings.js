// Admin: save the site settings (force name, contact, complaint address, public URL, zone).
(() => {
  const form = document.getElementById("settings-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    LFR.busy(form, async () => {
      const field = (name) => form.elements[name].value.trim();
      await LFR.api("PUT", "/api/settings", {
        force_name: field("force_name"),
        contact: field("contact"),
        complaints: field("complaints"),
        public_url: field("public_url") || null,
        time_zone: field("time_zone"),
      });
      LFR.flash("Settings saved: the public page and posters now use them.");
      window.location.reload();
    });
  });
})();
