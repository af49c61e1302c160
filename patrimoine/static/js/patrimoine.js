// Small progressive enhancements shared by every page. Pages work without JavaScript.
document.addEventListener("change", (event) => {
  // Submit a filter or switcher form when its select changes (the button stays for keyboard users).
  const target = event.target;
  if (target.matches("select[data-autosubmit]")) target.form.requestSubmit();
});
