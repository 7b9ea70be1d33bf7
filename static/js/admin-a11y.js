/* Names for the back office's controls that Django's admin leaves unnamed (WCAG 4.1.2,
   axe-core label / select-name / aria-input-field-name / list):
   - a tabular inline's fields (its rows have no labels, only the column headers): each field
     is labelled by its column's header;
   - the autocomplete widgets (select2): the combobox by the field's label and its current
     value, its read-only box showing the choice and the multiple widget's search box by the
     field's label, the multiple widget's choices a list.
   Runs once the page has loaded (after Django's own scripts built the widgets) and again
   whenever rows or widgets are added (a new inline row, an opened dropdown). */
(function () {
  "use strict";
  var counter = 0;

  function idOf(element) {
    if (!element.id) {
      counter += 1;
      element.id = "ub-name-" + counter;
    }
    return element.id;
  }

  function isNamed(control) {
    if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) {
      return true;
    }
    if (control.closest("label")) {
      return true;
    }
    return Boolean(control.id && document.querySelector('label[for="' + CSS.escape(control.id) + '"]'));
  }

  // The header of the table column a cell is in (a tabular inline's rows have no labels).
  function columnHeader(cell) {
    var table = cell.closest("table");
    var header = table && table.tHead && table.tHead.rows[0];
    if (!header || cell.colSpan !== 1) {
      return null;
    }
    var th = header.cells[cell.cellIndex];
    return th && th.textContent.trim() ? th : null;
  }

  // What names the (hidden) select a select2 widget stands for: its label, or its column's header.
  function labelFor(select) {
    if (select.id) {
      var label = document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
      if (label && label.textContent.trim()) {
        return label;
      }
    }
    var cell = select.closest("td");
    return cell ? columnHeader(cell) : null;
  }

  function nameInlineFields(root) {
    root.querySelectorAll(".tabular tbody tr.form-row td").forEach(function (cell) {
      var header = columnHeader(cell);
      if (!header) {
        return;
      }
      cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (control) {
        if (control.closest(".select2") || control.classList.contains("select2-hidden-accessible")) {
          return; // the autocomplete widget, named below
        }
        if (!isNamed(control)) {
          control.setAttribute("aria-labelledby", idOf(header));
        }
      });
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) {
        return;
      }
      var label = labelFor(select);
      if (!label) {
        return;
      }
      var labelId = idOf(label);
      var combobox = container.querySelector(".select2-selection[role=combobox]");
      if (combobox && combobox.dataset.ubNamed !== labelId) {
        var rendered = container.querySelector(".select2-selection__rendered[id]");
        combobox.setAttribute("aria-labelledby", rendered && !select.multiple ? labelId + " " + rendered.id : labelId);
        combobox.dataset.ubNamed = labelId;
        if (rendered && rendered.getAttribute("role") === "textbox") {
          // The single widget's read-only "textbox" showing the choice is named too.
          rendered.setAttribute("aria-labelledby", labelId);
        }
      }
      var choices = container.querySelector("ul.select2-selection__rendered");
      if (choices) {
        // Select2 puts its "remove all" cross (a span) among the list's items.
        choices.setAttribute("role", "list");
      }
      container.querySelectorAll(".select2-search__field").forEach(function (search) {
        if (!isNamed(search)) {
          search.setAttribute("aria-labelledby", labelId);
        }
      });
    });
    // An open dropdown's own search box, appended to <body>: it controls "select2-<id>-results".
    root.querySelectorAll(".select2-dropdown .select2-search__field").forEach(function (search) {
      var match = /^select2-(.+)-results$/.exec(search.getAttribute("aria-controls") || "");
      var select = match && document.getElementById(match[1]);
      var label = select && labelFor(select);
      if (label && !isNamed(search)) {
        search.setAttribute("aria-labelledby", idOf(label));
      }
    });
  }

  function nameAll() {
    nameInlineFields(document);
    nameAutocompletes(document);
  }

  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        nameAll();
      });
    }
  }

  window.addEventListener("load", function () {
    nameAll();
    new MutationObserver(later).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["aria-controls"],
    });
  });
})();
