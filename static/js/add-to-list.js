/* "Add to list" in place (the links work without this file: /shortlist/add sends the
   practitioner back to the same page with the service added).
   A click asks the server for that same page, and takes from it what changed: the card's
   "Add to list" paragraph, the list bar, and the list (`s`) every link and form of the page
   carries. The address is replaced, not pushed, so Back and reloading keep the list.
   Focus stays on the card; the bar and the card's notice are live regions. */
(function () {
  "use strict";

  if (!window.fetch || !window.DOMParser || !window.URL || !window.history.replaceState) { return; }

  // Pages the list travels through (after an optional /xx language prefix).
  var CARRIES = /^(?:\/[a-z]{2})?\/(?:search|services\/[a-z0-9-]+|menu|shortlist(?:\/add)?)$/;
  var busy = false;

  function carriesList(url) {
    return url.origin === window.location.origin && CARRIES.test(url.pathname);
  }

  function setList(url, list) {
    if (list) { url.searchParams.set("s", list); } else { url.searchParams.delete("s"); }
    url.searchParams.delete("added");
  }

  function carryEverywhere(list) {
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i += 1) {
      var url = new URL(links[i].href, window.location.href);
      if (carriesList(url)) {
        setList(url, list);
        links[i].href = url.href;
      }
    }
    var forms = document.querySelectorAll("form[method=get], form:not([method])");
    for (var j = 0; j < forms.length; j += 1) {
      var action = new URL(forms[j].action, window.location.href);
      if (!carriesList(action)) { continue; }
      var input = forms[j].querySelector("input[name=s]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "s";
        forms[j].appendChild(input);
      }
      input.value = list;
    }
  }

  // The contents of element `id` become those in `page` (the element stays: a live region
  // announces a change of its contents, not a new element).
  function swap(id, page) {
    var mine = document.getElementById(id);
    var theirs = page.getElementById(id);
    if (mine && theirs) {
      while (mine.firstChild) { mine.removeChild(mine.firstChild); }
      while (theirs.firstChild) { mine.appendChild(document.importNode(theirs.firstChild, true)); theirs.removeChild(theirs.firstChild); }
    }
    return mine;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-add-to-list]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var anchor = link.getAttribute("data-add-to-list");
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text().then(function (html) { return { url: response.url, html: html }; });
      })
      .then(function (answer) {
        var page = new DOMParser().parseFromString(answer.html, "text/html");
        var landed = new URL(answer.url);
        var list = landed.searchParams.get("s") || "";
        var paragraph = swap(anchor, page);
        swap("shortlist-bar", page);
        carryEverywhere(list);
        setList(landed, list);
        landed.hash = "";
        window.history.replaceState(window.history.state, "", landed.href);
        var next = paragraph && paragraph.querySelector("a");
        if (next) { next.focus(); }
      })
      .catch(function () {
        window.location.href = link.href; // the page without JavaScript does the same
      })
      .then(function () { busy = false; });
  });
})();
