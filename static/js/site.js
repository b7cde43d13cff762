// Progressive enhancements only: every control also works as a plain link without script.
(function () {
  "use strict";
  var root = document.documentElement;

  function closestLink(event, selector) {
    return event.target.closest ? event.target.closest(selector) : null;
  }

  // 打印: print the page in place instead of opening the ?print view.
  function onPrintLink(event) {
    var link = closestLink(event, "a.print-link");
    if (link && window.print) {
      event.preventDefault();
      window.print();
    }
  }

  // 字号/老年人模式: the link stores the choice in a cookie and redirects back; here the cookie is
  // stored by a background request (answered 204) and the page restyled in place: no reload,
  // the focus stays put. If that request fails, the plain link is followed.
  function applyPreference(link) {
    var group = link.getAttribute("data-pref-group");
    var choices = document.querySelectorAll('a[data-pref-group="' + group + '"]');
    Array.prototype.forEach.call(choices, function (choice) {
      var name = choice.getAttribute("data-pref-class");
      if (name) { root.classList.remove(name); }
      choice.removeAttribute("aria-current");
    });
    var chosen = link.getAttribute("data-pref-class");
    if (chosen) { root.classList.add(chosen); }
    link.setAttribute("aria-current", "true");
  }

  function onPreferenceLink(event) {
    var link = closestLink(event, "a[data-pref-group]");
    if (!link || !window.fetch || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    window.fetch(link.href, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (response.status !== 204) { throw new Error("not stored"); }
        applyPreference(link);
      })
      .catch(function () { window.location.href = link.href; });
  }

  document.addEventListener("click", function (event) {
    onPrintLink(event);
    onPreferenceLink(event);
  });

  // The ?print view prints itself once loaded.
  if (document.body.classList.contains("print-view") && window.print) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
