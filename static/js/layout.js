// Loaded in <head>, before the page is drawn: with scripts, a narrow screen folds the menu
// and a list's filters behind buttons (static/css/unibridge.css, ".js"); without them,
// everything stays open and a list shows its results before its filters.
document.documentElement.classList.add("js");

// A button with data-toggle opens and closes the element named by its aria-controls.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-toggle]");
  if (!button) {
    return;
  }
  var target = document.getElementById(button.getAttribute("aria-controls"));
  if (!target) {
    return;
  }
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  target.classList.toggle("is-open", open);
  if (open && target.tagName === "FORM") {
    var first = target.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }
});

// Escape closes an open menu and gives the focus back to its button.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") {
    return;
  }
  document.querySelectorAll(".menu-toggle[aria-expanded=true]").forEach(function (button) {
    button.setAttribute("aria-expanded", "false");
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (target) {
      target.classList.remove("is-open");
    }
    button.focus();
  });
});
