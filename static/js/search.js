/* The header's search: suggestions as you type from /api/search/ (cooperation/search_everywhere.py),
   a combobox after the WAI-ARIA pattern. Arrow keys move through the suggestions, Enter
   opens the one chosen (or the results page), Escape closes. Without JavaScript the form
   still opens the results page. */
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  var list = document.getElementById("site-search-list");
  if (!input || !list || !window.fetch) { return; }
  var timer = null, active = -1, options = [], asked = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function option(id, href, label, detail) {
    var item = document.createElement("li");
    item.id = id;
    item.setAttribute("role", "option");
    item.dataset.href = href;
    var title = document.createElement("span");
    title.className = "label";
    title.textContent = label;
    item.appendChild(title);
    if (detail) {
      var more = document.createElement("span");
      more.className = "detail";
      more.textContent = detail;
      item.appendChild(more);
    }
    item.addEventListener("mousedown", function (event) {
      event.preventDefault();
      window.location.href = href;
    });
    return item;
  }

  function show(data) {
    list.textContent = "";
    options = [];
    var n = 0;
    data.groups.forEach(function (group) {
      var heading = document.createElement("li");
      heading.setAttribute("role", "presentation");
      heading.className = "group";
      heading.textContent = group.label + " (" + group.count_text + ")";
      list.appendChild(heading);
      group.results.forEach(function (result) {
        var detail = result.matched ? "“" + result.matched + "” · " + result.detail : result.detail;
        var item = option("site-search-option-" + n++, result.url, result.label, detail);
        list.appendChild(item);
        options.push(item);
      });
    });
    var all = option("site-search-option-" + n, input.form.action + "?q=" +
      encodeURIComponent(data.query), data.groups.length ? input.dataset.allLabel
      : input.dataset.noneLabel, "");
    all.classList.add("all");
    list.appendChild(all);
    options.push(all);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    choose(-1);
  }

  function ask() {
    var query = input.value.trim();
    if (query.length < 2) { close(); asked = ""; return; }
    if (query === asked) { return; }
    asked = query;
    fetch(input.dataset.suggest + "?limit=3&q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && input.value.trim() === query) { show(data); }
    }).catch(function () { /* no suggestions: the form still searches */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      choose(Math.min(active + 1, options.length - 1));
    } else if (event.key === "ArrowUp" && !list.hidden) {
      event.preventDefault();
      choose(Math.max(active - 1, -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = options[active].dataset.href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
