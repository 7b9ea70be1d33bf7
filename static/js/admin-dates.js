/* The back office's dates are days (signed on, valid until), never instants, so the
   admin's "You are N hours behind server time" note under every date field (TIME_ZONE is
   the ministry's, the browser's may differ) only confuses. Django's DateTimeShortcuts adds
   the note when <body> carries the server's UTC offset; it reads it on "load", after this. */
document.addEventListener("DOMContentLoaded", function () {
  delete document.body.dataset.adminUtcOffset;
});
