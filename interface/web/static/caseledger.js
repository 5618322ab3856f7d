/* caseledger: small optional enhancements. Every page works without this file. */
(function () {
  "use strict";
  // Move focus to an error summary so screen readers announce it (GOV.UK pattern).
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }

  // The case history: filter the events by words typed (shown only when this script runs).
  var filter = document.querySelector("[data-history-filter]");
  if (filter) {
    filter.hidden = false;
    var input = filter.querySelector("input");
    var items = document.querySelectorAll(".timeline__item");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      items.forEach(function (item) {
        item.hidden = q !== "" && item.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  }
})();
