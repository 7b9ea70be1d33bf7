// Small behaviours without inline handlers, so the Content Security Policy needs no
// 'unsafe-inline': a <select data-autosubmit> submits its form when changed, and a
// button with data-print opens the print dialog, a signing-session choice fills the
// same name's other choices, and the new event's fields show only while no event is chosen.
function syncNewEvent(select) {
  var fields = document.getElementById(select.dataset.newEventSwitch);
  if (fields) { fields.hidden = select.value !== ""; }
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-new-event-switch]").forEach(syncNewEvent);
});
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
  if (field.matches && field.matches("select[data-new-event-switch]")) {
    syncNewEvent(field);
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
