// Small behaviours without inline handlers, so the Content Security Policy needs no
// 'unsafe-inline': a <select data-autosubmit> submits its form when changed, and a
// button with data-print opens the print dialog.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
