/* Enhancements only: every page works without this file.
   - Quick exit: the "Exit this page" link, or Shift pressed three times, replaces
     this page in the history with the exit page, so Back does not come back here.
   - Filters apply as soon as a box is ticked, and the reader comes back to the same box. */
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
    var panel = document.getElementById("filter-panel");
    // Wide screens show the filters beside the results; open them where CSS alone cannot.
    if (panel && window.matchMedia && window.matchMedia("(min-width: 48em)").matches) { panel.open = true; }

    // After a box is ticked the page reloads: bring the reader back to the same box, with the
    // filters open, instead of the top of the page. Kept for this tab only, and only until used.
    var RETURN_KEY = "earlyhelp.filter-return";
    var saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(RETURN_KEY) || "null"); } catch (error) { saved = null; }
    if (saved) {
      try { window.sessionStorage.removeItem(RETURN_KEY); } catch (error) { /* storage refused */ }
    }
    if (saved && saved.path === window.location.pathname) {
      if (panel) { panel.open = true; }
      var boxes = filters.querySelectorAll("input[type=checkbox]");
      var box = null;
      for (var i = 0; i < boxes.length; i += 1) {
        if (boxes[i].name === saved.name && boxes[i].value === saved.value) { box = boxes[i]; }
      }
      if (box) {
        var top = box.getBoundingClientRect().top + window.pageYOffset;
        window.scrollTo(0, Math.max(0, top - saved.offset));
        box.focus({preventScroll: true});
      }
    }
    filters.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") {
        try {
          window.sessionStorage.setItem(RETURN_KEY, JSON.stringify({
            path: window.location.pathname, name: event.target.name, value: event.target.value,
            offset: event.target.getBoundingClientRect().top}));
        } catch (error) { /* storage refused: the page still reloads at the top */ }
        filters.submit();
      }
    });
  }
})();
