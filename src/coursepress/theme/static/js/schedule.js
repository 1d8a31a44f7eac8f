// Marks the week the reader is in, by the reader's clock: the page was built on some earlier
// day (and marks the week of that day), which is not today for long.
(function () {
  "use strict";
  function mark() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
    var rows = document.querySelectorAll("table.schedule tr[data-start]");
    Array.prototype.forEach.call(rows, function (row) {
      var current = row.dataset.start <= today && today <= row.dataset.end;
      row.classList.toggle("current", current);
      if (current) {
        row.setAttribute("aria-current", "date");
      } else {
        row.removeAttribute("aria-current");
      }
      var badge = row.querySelector(".this-week");
      if (current && !badge) {
        var dates = row.querySelector("td.dates");
        if (dates) {
          badge = document.createElement("span");
          badge.className = "badge this-week";
          badge.textContent = "This week";
          dates.append(" ", badge);
        }
      } else if (!current && badge) {
        badge.remove();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
