/* The shortlist page, enhanced (it works without this file):
   - the note for the family is copied into the printed sheet as it is typed, and its form is
     never sent: with JavaScript the note does not leave this browser;
   - a "Print the list" button. */
(function () {
  "use strict";

  var form = document.getElementById("note-form");
  var note = document.getElementById("note");
  var sheetNote = document.getElementById("handover-note-sheet");
  var sheetText = document.getElementById("handover-note-text");
  if (form && note && sheetNote && sheetText) {
    var copyNote = function () {
      sheetText.textContent = note.value.trim();
      sheetNote.classList.toggle("handover-note--empty", note.value.trim() === "");
    };
    note.addEventListener("input", copyNote);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      copyNote();
    });
    var button = document.getElementById("note-button");
    if (button) { button.hidden = true; }
    copyNote();
  }

  var print = document.getElementById("print-button");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
