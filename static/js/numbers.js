/* Numbers in the page's language for the charts: the separators come from the server's
   format of the reader's language (<html data-thousands data-decimal>, from
   cooperation/formats), so a chart writes "1 000" where the page does; the browser's own
   Intl data lacks some languages (Chromium formats Kazakh as "1,000"). */
window.UniBridgeNumber = function (value) {
  if (typeof value !== "number" || !isFinite(value)) { return value; }
  var root = document.documentElement;
  var thousands = root.getAttribute("data-thousands");
  var decimal = root.getAttribute("data-decimal") || ".";
  var parts = Math.abs(value).toString().split(".");
  parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, thousands === null ? "," : thousands);
  return (value < 0 ? "-" : "") + parts.join(decimal);
};
