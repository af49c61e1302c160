// Triage list: when an action is refused (400/403/409), htmx swaps the row it gets back anyway,
// so the reason appears on the row the user clicked instead of nothing happening.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
