/* The service form's sections, enhanced (they work without this file: each is a <details>, and the
   server opens those with a problem or a change). A jump link, an error summary link or an address
   ending in #section-... or #<field> opens the section it points into before the page scrolls
   there, so the link always lands on something visible. */
(function () {
  "use strict";

  var form = document.getElementById("entry");
  if (!form) { return; }

  var reveal = function (id) {
    var target = id && document.getElementById(id);
    if (!target) { return null; }
    var section = target.closest("details");
    while (section) {
      section.open = true;
      section = section.parentElement && section.parentElement.closest("details");
    }
    return target;
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = reveal(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (target && target.tagName === "DETAILS") {
      // Land on the section's heading, and let keyboard users carry on from there.
      var summary = target.querySelector("summary");
      if (summary) {
        event.preventDefault();
        summary.scrollIntoView({block: "start"});
        summary.focus({preventScroll: true});
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", link.getAttribute("href"));
        }
      }
    }
  });

  if (window.location.hash) { reveal(decodeURIComponent(window.location.hash.slice(1))); }
  window.addEventListener("hashchange", function () { reveal(decodeURIComponent(window.location.hash.slice(1))); });
})();
