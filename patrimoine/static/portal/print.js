// The counter's receipt: a « Imprimer » button (the page prints fine from the browser menu too).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
