// The ontology page's diagrams fit the column; selecting one (click, Enter or Space) shows it at
// full size, scrolling inside its frame, and again fits it.
"use strict";
document.querySelectorAll(".diagram").forEach(function (frame) {
  function toggle(event) {
    if (event.target.closest && event.target.closest("a")) { return; }  // a box or arrow links to its term
    frame.classList.toggle("zoomed");
    frame.setAttribute("aria-expanded", String(frame.classList.contains("zoomed")));
  }
  frame.addEventListener("click", toggle);
  frame.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(event); }
  });
});
