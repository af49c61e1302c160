// Cost section of a work order (costs/partials/work_order_costs.html). The forms work without it;
// this only (base.html's htmx-config already swaps refused forms, status 400/409, in place): reveals the catalogue search (useless without JavaScript), announces the number of items found,
// and puts the focus on the first error or the confirmation after an update.
(function () {
  if (window.patrimoineCostsSection) return;
  window.patrimoineCostsSection = true;

  function reveal(root) {
    root.querySelectorAll("[data-costs-search][hidden]").forEach((el) => { el.hidden = false; });
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target && target.matches && target.matches("select[data-costs-items]")) {
      const count = target.querySelectorAll("option[value]:not([value=''])").length;
      const live = document.getElementById("materiel-q-resultat");
      if (live) live.textContent = live.dataset[count === 0 ? "none" : count === 1 ? "one" : "many"].replace("%n", count);
      if (count === 1) target.selectedIndex = target.options.length - 1;
      return;
    }
    if (!target || target.id !== "couts") return;
    const section = document.getElementById("couts");
    if (!section) return;
    reveal(section);
    const focus = section.querySelector(".field--error input, .field--error select, .cost-form-error, [data-costs-notice]");
    if (focus) {
      if (!focus.hasAttribute("tabindex") && !focus.matches("input, select")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => reveal(document));
  } else {
    reveal(document);
  }
})();
