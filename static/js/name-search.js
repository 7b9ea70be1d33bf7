/* An import's or a signing session's names being compared with the register in the
   background (cooperation/name_searches.py; templates/cooperation/includes/name_search.html):
   every two seconds the page asks how far the comparison has got and moves its progress
   bar and count; once it is done or has failed, the page reloads itself (an import: the
   preview) or sends its form again (a signing session, data-resubmit: its lines checked
   again). Without JavaScript the page's "Refresh" link, or the form's "Check" button, does
   the same. */
(function () {
  "use strict";
  var box = document.getElementById("name-search");
  if (!box || !window.fetch || !box.dataset.statusUrl) { return; }
  if (box.dataset.status === "done" || box.dataset.status === "failed") { return; }
  var bar = document.getElementById("name-search-progress");
  var count = document.getElementById("name-search-count");
  var stalled = document.getElementById("name-search-stalled");
  var template = box.dataset.countTemplate || "";

  function later() { window.setTimeout(poll, 2000); }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { later(); return; }
        if (state.status === "done" || state.status === "failed") {
          var form = box.dataset.resubmit && document.getElementById(box.dataset.resubmit);
          var check = form && form.querySelector("button[name=check]");
          if (check) { check.click(); } else { window.location.reload(); }
          return;
        }
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + "%"; }
        if (count && template && state.status === "running") {
          count.textContent = template
            .replace("__done__", state.done.toLocaleString())
            .replace("__total__", state.total.toLocaleString());
        }
        if (stalled) { stalled.hidden = !state.stalled; }
        later();
      })
      .catch(later);
  }
  later();
})();
