/* An export being prepared in the background (cooperation/export_jobs.py): the page asks
   itself again every two seconds and takes the fresh progress bar and count; when the
   status changes (ready, failed) it takes the status region too, which announces it.
   Without JavaScript the page's "Refresh" link does the same. */
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var FINAL = { done: true, failed: true };
  if (FINAL[box.dataset.status]) { return; }

  function later() { window.setTimeout(poll, 2000); }

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("export-job");
        if (!fresh) { later(); return; }
        if (fresh.dataset.status !== box.dataset.status) {
          // The status region keeps its element, so screen readers announce the change.
          box.querySelector("[role=status]").innerHTML = fresh.querySelector("[role=status]").innerHTML;
          box.dataset.status = fresh.dataset.status;
        }
        var block = box.querySelector("#export-progress-block");
        var freshBlock = fresh.querySelector("#export-progress-block");
        if (block && freshBlock) {
          block.innerHTML = freshBlock.innerHTML;
        } else if (block) {
          block.remove();
        }
        if (FINAL[box.dataset.status]) {
          var rest = fresh.querySelector("[role=status] ~ p");
          var mine = box.querySelector("[role=status] ~ p");
          if (rest && mine) { mine.innerHTML = rest.innerHTML; }
          return;
        }
        later();
      })
      .catch(later);
  }
  later();
})();
