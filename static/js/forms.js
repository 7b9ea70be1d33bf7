// Small behaviours without inline handlers, so the Content Security Policy needs no
// 'unsafe-inline': a <select data-autosubmit> submits its form when changed, and a
// button with data-print opens the print dialog, and a signing-session choice fills the
// same name's other choices.
document.addEventListener("change", function (event) {
  var field = event.target;
  // Signing session: a choice made for a name is offered to its other rows still unset.
  if (field.matches && field.matches("select[data-same-name]") && field.value) {
    document.querySelectorAll("select[data-same-name]").forEach(function (other) {
      if (other !== field && other.dataset.sameName === field.dataset.sameName && !other.value) {
        other.value = field.value;
      }
    });
  }
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
