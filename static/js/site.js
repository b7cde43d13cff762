// Progressive enhancements only: every control also works as a plain link without script.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.print-link");
    if (link && window.print) {
      event.preventDefault();
      window.print();
    }
  });
  // The ?print view prints itself once loaded.
  if (document.body.classList.contains("print-view") && window.print) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
