// Planning board: drag a work order onto a technician's half day to plan it.
// The same POST is made by the « Planifier sans glisser » form of each order (keyboard, no JS).
(() => {
  "use strict";
  let dragged = null;

  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  };

  // Messages come translated from the page (data-msg-* on the status line).
  const message = (name, values = {}) => {
    const status = document.getElementById("planning-status");
    const template = (status && status.dataset[name]) || "";
    return template.replace(/%\((\w+)\)s/g, (_match, key) => values[key] ?? "");
  };

  const announce = (text, isError) => {
    const status = document.getElementById("planning-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("wo-status--error", Boolean(isError));
  };

  const clearOver = () => {
    document.querySelectorAll("[data-drop].is-over").forEach((cell) => cell.classList.remove("is-over"));
  };

  const cellOf = (event) => (event.target instanceof Element ? event.target.closest("[data-drop]") : null);

  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest("[data-plan-url]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.reference || "");
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearOver();
  });

  document.addEventListener("dragover", (event) => {
    const cell = cellOf(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!cell.classList.contains("is-over")) {
      clearOver();
      cell.classList.add("is-over");
    }
  });

  document.addEventListener("dragleave", (event) => {
    const cell = cellOf(event);
    if (cell && !cell.contains(event.relatedTarget)) cell.classList.remove("is-over");
  });

  document.addEventListener("drop", async (event) => {
    const cell = cellOf(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    clearOver();
    const card = dragged;
    const board = cell.closest("[data-team]");
    const body = new FormData();
    body.append("team", board.dataset.team);
    body.append("technician", cell.dataset.technician);
    body.append("day", cell.dataset.day);
    body.append("slot", cell.dataset.slot);
    body.append("version", card.dataset.version);
    body.append("semaine", board.dataset.week);
    if (card.dataset.fromTechnician) body.append("from_technician", card.dataset.fromTechnician);
    announce(message("msgPending", { ref: card.dataset.reference, slot: cell.dataset.label }), false);
    let response;
    try {
      response = await fetch(card.dataset.planUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
    } catch (error) {
      announce(message("msgOffline"), true);
      return;
    }
    const plain = (response.headers.get("Content-Type") || "").startsWith("text/plain");
    const text = plain ? (await response.text()).trim() : message("msgRefused");
    await window.htmx.ajax("GET", board.dataset.refreshUrl, { target: "#planning", swap: "outerHTML" });
    announce(text, !response.ok);
  });
})();
