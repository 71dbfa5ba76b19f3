// Növbə staff alerts on every staff page (console, manager's view, help desk): each new alert is
// announced once to screen readers (the lists themselves are redrawn on every refresh, so they
// are not live regions), and a visitor's help request gets the "I'm going" button that
// acknowledges it in the signed-in person's name.
(function () {
  "use strict";
  const seen = new Set();
  let first = true;

  // Announce the alerts not seen before (not those present when the page opened: the reader
  // finds those on the page) in the page's #announce element (role=alert).
  function announce(alerts) {
    const fresh = alerts.filter((a) => !seen.has(`${a.source}|${a.kind}|${a.at}`));
    alerts.forEach((a) => seen.add(`${a.source}|${a.kind}|${a.at}`));
    const box = document.getElementById("announce");
    if (!first && fresh.length && box) box.textContent = fresh.map((a) => a.text).join(". ");
    first = false;
  }

  // A button acknowledging the help request of device `source`; `after()` re-reads the page.
  function goButton(source, label, csrf, after) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "big primary help-go";
    button.dataset.source = source;
    button.textContent = label;
    button.addEventListener("click", async () => {
      button.disabled = true;
      const r = await fetch("/api/help/acknowledge", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ source }),
      }).catch(() => null);
      if (!r || (!r.ok && r.status !== 409)) button.disabled = false;   // 409: someone went already
      after();
    });
    return button;
  }
  window.novbeAlerts = { announce, goButton, isHelp: (kind) => kind === "help_requested" };
})();
