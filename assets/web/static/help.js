// Növbə help requests on every staff page (console, manager's view, help desk): the "I'm going"
// button that acknowledges a visitor's request in the signed-in person's name.
(function () {
  "use strict";
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
  window.novbeHelp = { goButton, isHelp: (kind) => kind === "help_requested" };
})();
