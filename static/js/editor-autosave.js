// The post form's copy in this browser (localStorage), so that nothing typed is lost when a save
// cannot be applied (the session ended, the token expired, the network or the server failed):
// kept while the editor types, put back with a notice and a way to discard it the next time
// the form opens, and dropped once the server says the save succeeded. The page tells this
// script what it needs in data attributes of the form (templates/editor/form.html):
//   data-autosave-key      "<editor id>:<post id or new>": one copy per editor and form
//   data-autosave-saved    the key of a form whose save just succeeded: its copy goes
//   data-autosave-unsaved  the form came back refused: what it shows is not saved, keep it
// Without a login the form has no key, and the copy made before the session ended stays.
(function () {
  "use strict";
  var PREFIX = "portal-autosave:";
  var MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000; // a copy of a form never opened again is dropped
  var TYPING_PAUSE_MS = 500;
  var RECHECK_MS = 5000; // other scripts (a rich-text editor) may change fields without events

  var form = document.querySelector("form[data-autosave-key]");
  var storage = usableStorage();
  if (!form || !storage) {
    return;
  }
  var key = PREFIX + form.getAttribute("data-autosave-key");

  function usableStorage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled or full: the form still works, without a copy
    }
  }

  // The fields as the form submits them, by name (not the CSRF token, not the buttons).
  function fields() {
    return Array.prototype.filter.call(form.elements, function (element) {
      // Not the files (a file input cannot be set; templates/editor/_attachments.html): the
      // page the server sends already carries them.
      return element.name && element.name !== "csrf_token" &&
        element.type !== "submit" && element.type !== "button" &&
        element.type !== "file" && !element.closest("[data-autosave-skip]");
    });
  }

  function snapshot() {
    var values = {};
    fields().forEach(function (element) {
      values[element.name] = element.type === "checkbox" ? element.checked : element.value;
    });
    return values;
  }

  function apply(values) {
    fields().forEach(function (element) {
      if (!Object.prototype.hasOwnProperty.call(values, element.name)) {
        return;
      }
      if (element.type === "checkbox") {
        element.checked = values[element.name] === true;
      } else {
        element.value = values[element.name];
      }
      // Scripts that follow a field (a rich-text editor over the body) see the new value.
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function read(name) {
    try {
      var copy = JSON.parse(storage.getItem(name));
      return copy && copy.fields ? copy : null;
    } catch (error) {
      return null;
    }
  }

  function write(values) {
    try {
      storage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: values }));
    } catch (error) {
      // Full: the form is still submitted as usual; only the spare copy is missing.
    }
  }

  function prune() {
    var now = Date.now();
    for (var index = storage.length - 1; index >= 0; index -= 1) {
      var name = storage.key(index);
      if (name && name.indexOf(PREFIX) === 0) {
        var copy = read(name);
        if (!copy || !(now - copy.savedAt < MAX_AGE_MS)) {
          storage.removeItem(name);
        }
      }
    }
  }

  var unsaved = form.hasAttribute("data-autosave-unsaved");
  // The form as the server stored it: a copy equal to it holds nothing unsaved, and discarding
  // goes back to it. A refused form has none: everything it shows is worth keeping.
  var stored = unsaved ? null : snapshot();
  var lastWritten = null;
  var timer = null;

  function save() {
    window.clearTimeout(timer);
    var values = snapshot();
    var text = JSON.stringify(values);
    if (text === lastWritten) {
      return;
    }
    lastWritten = text;
    if (stored && JSON.stringify(stored) === text) {
      storage.removeItem(key);
    } else {
      write(values);
    }
  }

  function saveSoon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, TYPING_PAUSE_MS);
  }

  function offerBack(copy) {
    apply(copy.fields);
    lastWritten = JSON.stringify(copy.fields);
    var notice = document.getElementById("autosave-notice");
    if (!notice) {
      return;
    }
    var time = document.getElementById("autosave-time");
    if (time) {
      time.textContent = new Date(copy.savedAt).toLocaleString("zh-CN", { hour12: false });
    }
    notice.hidden = false;
    document.getElementById("autosave-discard").addEventListener("click", function () {
      apply(stored);
      storage.removeItem(key);
      lastWritten = JSON.stringify(stored);
      notice.hidden = true;
      // The button is gone: keep the keyboard's place in the form, not at the page's top.
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  }

  prune();
  var saved = form.getAttribute("data-autosave-saved");
  if (saved) {
    storage.removeItem(PREFIX + saved);
  }
  var copy = read(key);
  if (unsaved) {
    save();
  } else if (copy && JSON.stringify(copy.fields) !== JSON.stringify(stored)) {
    offerBack(copy);
  } else if (copy) {
    storage.removeItem(key);
  }

  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);
  form.addEventListener("submit", save); // at once: this request may be the one refused
  window.addEventListener("pagehide", save);
  window.setInterval(save, RECHECK_MS);
  // Another tab dropped this copy (its save of the same form succeeded): keep ours if it differs.
  window.addEventListener("storage", function (event) {
    if ((event.key === key || event.key === null) && event.newValue === null) {
      lastWritten = null;
      save();
    }
  });
})();
