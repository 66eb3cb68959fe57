/* Enhancements only: every page works without this file.
   - Quick exit: the "Exit this page" link, or Shift pressed three times, replaces
     this page in the history with the exit page, so Back does not come back here.
   - Filters apply as soon as a box is ticked. */
(function () {
  "use strict";

  var exitLink = document.getElementById("quick-exit");
  if (exitLink) {
    var exit = function () {
      document.body.classList.add("exiting");
      window.location.replace(exitLink.href);
    };
    exitLink.addEventListener("click", function (event) {
      event.preventDefault();
      exit();
    });

    var hint = document.getElementById("quick-exit-hint");
    if (hint) { hint.hidden = false; }

    var presses = 0;
    var timer = null;
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { presses = 0; return; }
      presses += 1;
      clearTimeout(timer);
      timer = setTimeout(function () { presses = 0; }, 5000);
      if (presses >= 3) { exit(); }
    });
  }

  var filters = document.getElementById("search-filters");
  if (filters) {
    // Say that ticking a box reloads the results (WCAG 3.2.2, on input).
    var filtersHint = document.getElementById("filters-hint");
    if (filtersHint) { filtersHint.hidden = false; }
    filters.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") {
        filters.submit();
      }
    });
  }
})();
