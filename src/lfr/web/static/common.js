// Shared by every page: JSON API calls with the CSRF token, and plain messages.
"use strict";

const LFR = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function api(method, url, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") options.headers["X-CSRF-Token"] = csrf();
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      throw new Error("the server cannot be reached: check the connection and try again");
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = { detail: text }; }
    }
    if (!response.ok) {
      const detail = data && data.detail ? data.detail : `request failed (${response.status})`;
      const error = new Error(response.status === 401 ? `${detail} (log in again)` : detail);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  function show(text, isError = false) {
    const box = document.getElementById("message");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    box.classList.toggle("error", Boolean(isError));
    box.dataset.kind = isError ? "error" : "ok";
  }

  // A message that survives the reload after an action.
  function flash(text) {
    sessionStorage.setItem("lfr-flash", text);
  }

  function when(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    // The same form as the server-rendered pages: "2026-11-26 06:03:54 UTC".
    return d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  // Disable the form's buttons while ``work`` runs; show its error as a plain message.
  async function busy(form, work) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      return await work();
    } catch (err) {
      show(err.message, true);
      return undefined;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const text = sessionStorage.getItem("lfr-flash");
    if (text) {
      sessionStorage.removeItem("lfr-flash");
      show(text);
    }
  });

  return { api, show, flash, when, busy };
})();
