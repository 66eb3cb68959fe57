/* Service pages, enhanced (they work without this file): Share and Print.
   - Share uses the device's share sheet (Web Share API) where there is one; otherwise it copies
     the page's address, and says so. Where copying is refused, the address is selected in a box.
   - Print opens the browser's print dialog (the print stylesheet makes one clean sheet). */
(function () {
  "use strict";

  var actions = document.getElementById("page-actions");
  var share = document.getElementById("share-page");
  var print = document.getElementById("print-page");
  var status = document.getElementById("share-status");
  if (!actions || !share || !print) { return; }
  actions.hidden = false;

  var url = share.getAttribute("data-url") || window.location.href;
  var title = document.title;
  var say = function (text) { if (status) { status.textContent = text; } };

  var showAddress = function () {
    var box = document.getElementById("share-address");
    if (!box) {
      box = document.createElement("input");
      box.type = "text";
      box.readOnly = true;
      box.id = "share-address";
      box.className = "page-actions__address";
      box.value = url;
      box.setAttribute("aria-label", share.getAttribute("data-copy-label"));
      actions.appendChild(box);
    }
    box.focus();
    box.select();
  };

  if (!navigator.share) {
    share.textContent = share.getAttribute("data-copy-label");
  }
  share.addEventListener("click", function () {
    if (navigator.share) {
      navigator.share({title: title, url: url}).catch(function () { /* the reader closed the sheet */ });
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () {
        say(share.getAttribute("data-copied"));
      }, showAddress);
    } else {
      showAddress();
    }
  });

  print.addEventListener("click", function () { window.print(); });
})();
