// A booked visitor checked in by code from a staff page (the counter console): the server
// answers with one sentence in the reader's language (/desk/check-in.json).
(function () {
  "use strict";
  const form = document.getElementById("check-in-form");
  if (!form) return;
  const root = document.querySelector("[data-csrf]");
  const input = document.getElementById("check-in-code");
  const out = document.getElementById("check-in-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!code) { input.focus(); return; }
    out.dataset.kind = "";
    out.textContent = "…";
    try {
      const r = await fetch(`/desk/check-in.json?lang=${root.dataset.lang || ""}`, {
        method: "POST", cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf,
                   Accept: "application/json" },
        body: JSON.stringify({ code }),
      });
      const data = await r.json();
      out.textContent = data.text || data.message || r.statusText;
      out.dataset.kind = r.ok && data.ticket ? "ok" : "error";
      if (r.ok && data.ticket) input.value = "";
    } catch (e) {
      out.dataset.kind = "error";
      out.textContent = String(e);
    }
  });
})();
