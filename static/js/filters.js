// The filters' lists of several choices (countries, kinds, statuses...) become searchable
// pickers: type a few letters, pick with Enter or a click, remove with × (Tom Select,
// static/vendor/tom-select). Without scripts they stay list boxes and the form works as
// before. The form carries the translated words (data-picker-*).
document.addEventListener("DOMContentLoaded", function () {
  if (typeof TomSelect === "undefined") {
    return;
  }
  document.querySelectorAll("form.filters select[multiple]").forEach(function (select) {
    var words = select.form.dataset;
    var picker = new TomSelect(select, {
      plugins: { remove_button: { title: words.pickerRemove } },
      maxOptions: null, // every country, not the first 50
      maxItems: select.dataset.maxItems ? Number(select.dataset.maxItems) : null,
      placeholder: words.pickerPlaceholder,
      closeAfterSelect: true,
      refreshThrottle: 0, // Enter right after typing picks what was typed
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = words.pickerNothing;
          return div;
        },
      },
    });
    // The list box stays in the form, hidden, to be sent; its label now names the picker.
    picker.input.setAttribute("aria-hidden", "true");
  });
});
