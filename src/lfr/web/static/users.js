// Admin: add, disable or enable accounts; put a new policy version in force.
"use strict";

(() => {
  const create = document.getElementById("user-create");
  if (create) {
    create.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(create, async () => {
        const f = create.elements;
        const user = await LFR.api("POST", "/api/users", {
          username: f.username.value, password: f.password.value, role: f.role.value,
        });
        LFR.flash(`User ${user.username} added (${user.role.replace("_", " ")}).`);
        window.location.reload();
      });
    });
  }
  document.querySelectorAll("button[data-user]").forEach((button) => {
    button.addEventListener("click", () => {
      LFR.busy(button.parentElement, async () => {
        await LFR.api("POST", `/api/users/${encodeURIComponent(button.dataset.user)}/${button.dataset.op}`);
        LFR.flash(`User ${button.dataset.user}: ${button.dataset.op}d.`);
        window.location.reload();
      });
    });
  });

  const profile = document.getElementById("profile-form");
  if (profile) {
    profile.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(profile, async () => {
        await LFR.api("PUT", "/api/policy/profile", { profile: profile.elements.profile.value });
        LFR.flash("The profile is in force.");
        window.location.reload();
      });
    });
  }

  const policy = document.getElementById("policy-form");
  if (policy) {
    policy.addEventListener("submit", (event) => {
      event.preventDefault();
      LFR.busy(policy, async () => {
        let body;
        try {
          body = JSON.parse(policy.elements.policy.value);
        } catch (err) {
          throw new Error(`not valid JSON: ${err.message}`);
        }
        await LFR.api("PUT", "/api/policy", body);
        LFR.flash("The new policy is in force.");
        window.location.reload();
      });
    });
  }
})();
