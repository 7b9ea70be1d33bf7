// Article intake: refuse a paste or a file over the limits before sending it, with the
// same message the server gives (a body over Django's upload limit would never reach it).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var text = form.querySelector("textarea[name=text]");
    var file = form.querySelector("input[type=file]");
    var box = document.getElementById("too-large");
    var message = "";
    if (text && text.value.length > Number(text.dataset.max)) {
      message = text.dataset.message;
    } else if (file && file.files.length && file.files[0].size > Number(file.dataset.max)) {
      message = file.dataset.message;
    }
    if (message) {
      event.preventDefault();
      box.textContent = message;
      box.hidden = false;
    }
  });
})();
