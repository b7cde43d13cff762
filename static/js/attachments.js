// 正文图片 (issue 12): with this script an image is uploaded as soon as it is chosen
// (POST /editor/attachments/images, the form's CSRF token in X-CSRFToken) and inserted into the
// 正文 at the cursor, with the description typed beside it as its alt text. Without it (or if
// it fails) the image input is a plain file field: the image goes up with the form, and the
// form then shows its address to copy into the 正文 (templates/editor/_attachments.html).
//
// The rich-text surface (editor-richtext.js) inserts images through its own 图片 panel: this
// script fills that panel in and applies it, so the image lands where the cursor was, checked
// as any image is. In the HTML source view (or without the surface) it types the <img> into
// the textarea at the cursor. The Chinese messages are the fieldset's data-message-* values.
(function () {
  "use strict";

  const field = document.getElementById("images");
  const input = document.getElementById("image-files");
  const form = field && field.closest("form");
  if (!field || !input || !form || !window.fetch || !window.FormData) {
    return; // the form uploads the image itself when it is saved
  }
  const body = document.getElementById(field.dataset.bodyField);
  const alt = document.getElementById("image-alt");
  const status = document.getElementById("image-upload-status");
  const token = form.querySelector("input[name=csrf_token]");

  field.querySelector(".image-upload-now").hidden = false;
  document.getElementById("images-hint").textContent = field.dataset.hint || document.getElementById("images-hint").textContent;

  function say(message, failed) {
    status.textContent = message;
    status.classList.toggle("form-error", Boolean(failed));
  }

  function escapeAttribute(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The rich-text surface's own 图片 panel: open it, fill it in, apply it.
  function insertWithPanel(url, description) {
    const button = document.querySelector(".richtext-toolbar [data-command=image]");
    if (!button || !body || !body.hidden) return false; // no surface, or its HTML source view
    button.click();
    const panel = document.querySelector(".richtext [data-panel=image]");
    const src = panel && panel.querySelector("[data-key=src]");
    const text = panel && panel.querySelector("[data-key=alt]");
    const apply = panel && panel.querySelector("[data-panel-action=apply]");
    if (!src || !text || !apply) return false;
    src.value = url;
    text.value = description;
    apply.click();
    return panel.hidden; // closed: inserted
  }

  function insertIntoTextarea(url, description, width, height) {
    const size = width && height ? ` width="${width}" height="${height}"` : "";
    const html = `<img src="${escapeAttribute(url)}" alt="${escapeAttribute(description)}"${size}>`;
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? start;
    body.setRangeText(html, start, end, "end");
    body.dispatchEvent(new Event("input", { bubbles: true })); // the surface and the autosave follow
  }

  async function upload(file, description) {
    const data = new FormData();
    data.append("image", file, file.name);
    const response = await fetch(field.dataset.uploadUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      credentials: "same-origin",
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null; // an error page (the session ended, the request was too large)
    }
    if (!response.ok || !answer || !answer.url) {
      throw new Error((answer && answer.error) || field.dataset.messageFailed);
    }
    return answer;
  }

  input.addEventListener("change", async () => {
    const chosen = Array.from(input.files || []);
    if (!chosen.length) return;
    const description = alt.value.trim();
    if (!description) {
      input.value = "";
      say(field.dataset.messageAlt, true);
      alt.focus();
      return;
    }
    input.disabled = true;
    try {
      for (const file of chosen) {
        say(field.dataset.messageUploading, false);
        const image = await upload(file, description);
        if (!insertWithPanel(image.url, description)) {
          insertIntoTextarea(image.url, description, image.width, image.height);
        }
        say(field.dataset.messageInserted, false);
      }
      alt.value = "";
    } catch (error) {
      say(error.message || field.dataset.messageFailed, true);
    } finally {
      input.value = ""; // uploaded already: the form must not send it again
      input.disabled = false;
    }
  });
})();
