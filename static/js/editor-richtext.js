// The 正文 field's rich-text surface (issue 14): ProseMirror (static/vendor/prosemirror/, built
// from editor/) over the <textarea>, which stays the field that is submitted. Without this script,
// or if it fails anywhere, the textarea is simply left as it is: nothing typed is lost.
//
// What the surface can hold is what the sanitizer keeps (portal/sanitize/policy.py): p, h2–h4,
// strong/em/u/s/sub/sup, links, lists, tables with colspan/rowspan, images, blockquote, hr, br,
// and the three style classes. So what the editor shows before saving is what the public page
// will show. Every change is written back to the textarea at once, as clean HTML.
//
// Pasted HTML (Word, WPS, web pages) is cleaned before ProseMirror reads it: Word's list
// paragraphs become real lists, alignment and first-line indent become our classes, and the
// clutter (conditional comments, <style>, <o:p>, <font>, mso- styles, empty paragraphs) goes.
// Under our CSP no pasted style may ever reach a DOM parser: parsing a style attribute, even in
// an inert document, is reported as a violation. So style attributes are renamed in the string
// first and read from there.
//
// The Chinese labels and messages live in the template (templates/editor/_richtext.html).
(function () {
  "use strict";

  const PM = window.PortalProseMirror;
  const template = document.getElementById("richtext-template");
  const textarea = template && document.getElementById(template.dataset.field);
  if (!PM || !textarea || textarea.tagName !== "TEXTAREA") {
    return; // no editor: the plain textarea works as before
  }

  // --- the schema: the sanitizer's allowlist --------------------------------------------------

  // portal/sanitize/policy.py STYLE_CLASSES: the only presentational classes a body keeps.
  const ALIGN_CLASSES = { center: "text-center", right: "text-right" };
  const INDENT_CLASS = "indent-2em";

  function blockAttrs(dom) {
    const classes = dom.classList;
    let align = null;
    for (const name of Object.keys(ALIGN_CLASSES)) {
      if (classes.contains(ALIGN_CLASSES[name])) align = name;
    }
    return { align: align, indent: classes.contains(INDENT_CLASS) };
  }

  function classOf(attrs) {
    const names = [];
    if (attrs.align) names.push(ALIGN_CLASSES[attrs.align]);
    if (attrs.indent) names.push(INDENT_CLASS);
    return names.length ? { class: names.join(" ") } : {};
  }

  const BLOCK_ATTRS = { align: { default: null }, indent: { default: false } };
  const number = (value) => (/^[0-9]{1,5}$/.test(value || "") ? value : null);

  const nodes = {
    doc: { content: "block+" },
    paragraph: {
      group: "block",
      content: "inline*",
      attrs: BLOCK_ATTRS,
      parseDOM: [{ tag: "p", getAttrs: blockAttrs }],
      toDOM: (node) => ["p", classOf(node.attrs), 0],
    },
    heading: {
      group: "block",
      content: "inline*",
      defining: true,
      attrs: Object.assign({ level: { default: 2 } }, BLOCK_ATTRS),
      parseDOM: [2, 3, 4].map((level) => ({
        tag: "h" + level,
        getAttrs: (dom) => Object.assign({ level: level }, blockAttrs(dom)),
      })),
      toDOM: (node) => ["h" + node.attrs.level, classOf(node.attrs), 0],
    },
    blockquote: {
      group: "block",
      content: "block+",
      defining: true,
      parseDOM: [{ tag: "blockquote" }],
      toDOM: () => ["blockquote", 0],
    },
    horizontal_rule: { group: "block", parseDOM: [{ tag: "hr" }], toDOM: () => ["hr"] },
    ordered_list: Object.assign({}, PM.orderedList, { content: "list_item+", group: "block" }),
    bullet_list: Object.assign({}, PM.bulletList, { content: "list_item+", group: "block" }),
    list_item: Object.assign({}, PM.listItem, { content: "paragraph block*" }),
    text: { group: "inline" },
    image: {
      inline: true,
      group: "inline",
      draggable: true,
      attrs: { src: {}, alt: { default: "" }, width: { default: null }, height: { default: null } },
      parseDOM: [
        {
          tag: "img[src]",
          getAttrs: (dom) =>
            safeImage(dom.getAttribute("src")) && {
              src: dom.getAttribute("src"),
              alt: dom.getAttribute("alt") || "",
              width: number(dom.getAttribute("width")),
              height: number(dom.getAttribute("height")),
            },
        },
      ],
      toDOM: (node) => ["img", node.attrs],
    },
    hard_break: {
      inline: true,
      group: "inline",
      selectable: false,
      parseDOM: [{ tag: "br" }],
      toDOM: () => ["br"],
    },
  };
  Object.assign(
    nodes,
    PM.tableNodes({
      tableGroup: "block",
      cellContent: "block+",
      cellAttributes: {
        align: {
          default: null,
          getFromDOM: (dom) => blockAttrs(dom).align,
          setDOMAttr: (value, attrs) => {
            if (value) attrs.class = ALIGN_CLASSES[value];
          },
        },
      },
    }),
  );

  const marks = {
    link: {
      attrs: { href: {}, title: { default: null } },
      inclusive: false,
      parseDOM: [
        {
          tag: "a[href]",
          getAttrs: (dom) =>
            safeUrl(dom.getAttribute("href"), LINK_SCHEMES) && {
              href: dom.getAttribute("href").trim(),
              title: dom.getAttribute("title"),
            },
        },
      ],
      toDOM: (mark) => ["a", { href: mark.attrs.href, title: mark.attrs.title }, 0],
    },
    strong: { parseDOM: [{ tag: "strong" }, { tag: "b" }], toDOM: () => ["strong", 0] },
    em: { parseDOM: [{ tag: "em" }, { tag: "i" }], toDOM: () => ["em", 0] },
    underline: { parseDOM: [{ tag: "u" }], toDOM: () => ["u", 0] },
    strike: { parseDOM: [{ tag: "s" }, { tag: "strike" }, { tag: "del" }], toDOM: () => ["s", 0] },
    sub: { excludes: "sup", parseDOM: [{ tag: "sub" }], toDOM: () => ["sub", 0] },
    sup: { excludes: "sub", parseDOM: [{ tag: "sup" }], toDOM: () => ["sup", 0] },
  };

  const schema = new PM.Schema({ nodes: nodes, marks: marks });
  const parser = PM.DOMParser.fromSchema(schema);
  // A document without a browsing context: serializing there loads no image.
  const inert = document.implementation.createHTMLDocument("");
  const serializer = PM.DOMSerializer.fromSchema(schema);

  // --- reading HTML: paste, drop, the textarea's value -----------------------------------------

  // The HTML parser would see markup here (mirrors portal/text.py's test for a tagless body).
  const MARKUP = /<[A-Za-z/!?]/;
  // Line breaks as Python's str.splitlines() knows them (portal/text.py paragraphs()).
  const LINES = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

  // A start tag, its quoted values read whole (a ">" inside quotes does not end it).
  const START_TAG = /<[A-Za-z][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/g;
  // Attributes the CSP reports even in an inert document: inline styles and event handlers.
  const REPORTED_ATTRIBUTE = /("[^"]*"|'[^']*')|(\s)(style|on[\w-]*)(?=[\s=/>])/gi;

  // Pasted HTML as a string, before any parser sees it: what is never content goes (Word's
  // hidden conditional blocks with their XML, style sheets, scripts, <base>, <meta>, <link>),
  // a <style> or <script> left unclosed becomes an unknown element, and style and on…
  // attributes are renamed: so parsing it reports nothing (see the top of this file). The
  // style is still read, as data-style.
  function defuse(html) {
    return (
      html
        // One comment: <!--[if gte mso 9]>…<![endif]--> (never past its end, "-->").
        .replace(/<!--\[if[^\]]*\]>(?:(?!-->)[\s\S])*?<!\[endif\]-->/gi, "")
        .replace(/<(style|script|xml|title)\b[\s\S]*?<\/\1\s*>/gi, "")
        .replace(/<(base|meta|link)\b[^>]*>/gi, "")
        .replace(/<(\/?)(style|script)\b/gi, "<$1x-$2")
        .replace(START_TAG, (tag) =>
          tag.replace(REPORTED_ATTRIBUTE, (match, quoted, space, name) =>
            quoted
              ? quoted
              : space + "data-" + (name.toLowerCase() === "style" ? "style" : "x-" + name),
          ),
        )
    );
  }

  // The addresses the sanitizer keeps (portal/sanitize/urls.py): http(s), mailto and relative.
  // Browsers ignore tabs and line breaks inside a URL ("jav&#x09;ascript:"), so this does too.
  function safeUrl(value, schemes) {
    const url = (value || "").replace(/[\u0000-\u0020\u007f]+/g, "");
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
    return url !== "" && (!scheme || schemes.indexOf(scheme[1].toLowerCase()) >= 0);
  }
  const LINK_SCHEMES = ["http", "https", "mailto"];
  // Images as the sanitizer keeps them (policy.image_source_allowed): over http(s) (made
  // https on save), or a file uploaded to this site; no other path, no data: or file: image.
  const safeImage = (src) =>
    safeUrl(src, ["http", "https"]) &&
    /^(https?:\/\/|\/attachments\/[0-9a-f]{64}\/[^/?#\\\s]+$)/i.test(src.trim());

  function declarations(element) {
    const result = {};
    for (const part of (element.getAttribute("data-style") || "").split(";")) {
      const colon = part.indexOf(":");
      if (colon > 0) {
        result[part.slice(0, colon).trim().toLowerCase()] = part
          .slice(colon + 1)
          .trim()
          .replace(/^['"]|['"]$/g, "")
          .toLowerCase();
      }
    }
    return result;
  }

  const BLOCKS = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "DIV", "TD", "TH"]);
  const HEADING_LEVELS = { H1: "h2", H5: "h4", H6: "h4" }; // as the sanitizer maps them
  const BLANK = /^[\s\u00a0\u3000\u200b]*$/;

  function rename(element, tag) {
    const replacement = element.ownerDocument.createElement(tag);
    for (const attribute of Array.from(element.attributes)) {
      replacement.setAttribute(attribute.name, attribute.value);
    }
    while (element.firstChild) replacement.appendChild(element.firstChild);
    element.replaceWith(replacement);
    return replacement;
  }

  function unwrap(element) {
    element.replaceWith(...element.childNodes);
  }

  function wrapContent(element, tag) {
    const wrapper = element.ownerDocument.createElement(tag);
    while (element.firstChild) wrapper.appendChild(element.firstChild);
    element.appendChild(wrapper);
  }

  function addClass(element, name) {
    element.classList.add(name);
  }

  // Word (and WPS) write a list item as a paragraph with "mso-list:l0 level1 lfo1" whose number
  // or bullet is text between <![if !supportLists]> and <![endif]> (or in a mso-list:Ignore
  // span). Take the marker out, remember it, and say which list and level the paragraph is in.
  function takeListMarkers(body) {
    const walker = body.ownerDocument.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
    const starts = [];
    while (walker.nextNode()) {
      if (/^\[if !supportLists\]$/i.test(walker.currentNode.data.trim()))
        starts.push(walker.currentNode);
    }
    const isEnd = (node) =>
      node.nodeType === Node.COMMENT_NODE && /^\[endif\]$/i.test(node.data.trim());
    for (const start of starts) {
      const between = [];
      let end = start.nextSibling;
      while (end && !isEnd(end)) {
        between.push(end);
        end = end.nextSibling;
      }
      if (!end) continue; // not Word's pattern: leave the text alone
      const block =
        start.parentElement && start.parentElement.closest("p, li, h1, h2, h3, h4, h5, h6, div");
      if (block && !block.hasAttribute("data-list-marker")) {
        block.setAttribute("data-list-marker", between.map((node) => node.textContent).join(""));
      }
      between.forEach((node) => node.remove());
      start.remove();
      end.remove();
    }
    for (const ignored of Array.from(body.querySelectorAll("[data-style]"))) {
      if (/mso-list\s*:\s*ignore/i.test(ignored.getAttribute("data-style"))) {
        const block = ignored.closest("p, li, h1, h2, h3, h4, h5, h6, div");
        if (block && !block.hasAttribute("data-list-marker")) {
          block.setAttribute("data-list-marker", ignored.textContent);
        }
        ignored.remove();
      }
    }
  }

  function listInfo(element) {
    const match = /(?:^|;)\s*mso-list\s*:\s*(l\d+)\s+level(\d+)/i.exec(
      element.getAttribute("data-style") || "",
    );
    if (!match || element.tagName === "LI") return null;
    const marker = (element.getAttribute("data-list-marker") || "").replace(/[\s\u00a0]+/g, "");
    // Numbers and letters end with "." ")" "、"; bullets are one symbol (Wingdings "l", "§", "·").
    const ordered = marker === "" || /[0-9一二三四五六七八九十]|[.)．、）]$/.test(marker);
    return { id: match[1], level: Number(match[2]), tag: ordered ? "ol" : "ul" };
  }

  // Runs of Word list paragraphs become nested <ol>/<ul> with one <li> per paragraph.
  function buildLists(body) {
    const candidates = Array.from(body.querySelectorAll("[data-style*='mso-list']"));
    const done = new Set();
    for (const first of candidates) {
      if (done.has(first) || !listInfo(first)) continue;
      const stack = [];
      let item = first;
      while (item) {
        const info = listInfo(item);
        if (!info) break;
        const next = nextElementSkippingBlank(item);
        while (stack.length && stack[stack.length - 1].level > info.level) stack.pop();
        let top = stack[stack.length - 1];
        if (top && top.level === info.level && (top.tag !== info.tag || top.id !== info.id)) {
          stack.pop();
          top = stack[stack.length - 1];
        }
        if (!top || top.level < info.level) {
          const list = body.ownerDocument.createElement(info.tag);
          if (top && top.item) top.item.appendChild(list);
          else item.before(list);
          top = { list: list, level: info.level, tag: info.tag, id: info.id, item: null };
          stack.push(top);
        }
        const li = body.ownerDocument.createElement("li");
        top.list.appendChild(li);
        top.item = li;
        item.removeAttribute("data-style"); // its margins and hanging indent belong to the list
        const paragraph = item.tagName === "P" ? item : rename(item, "p");
        li.appendChild(paragraph);
        done.add(item);
        item = next;
      }
    }
  }

  function nextElementSkippingBlank(element) {
    let node = element.nextSibling;
    while (node && node.nodeType !== Node.ELEMENT_NODE) {
      if (node.nodeType === Node.TEXT_NODE && !BLANK.test(node.data)) return null;
      node = node.nextSibling;
    }
    return node;
  }

  // Styles become what the schema holds: <strong>/<em>/<u>/<s>/<sup>/<sub>, and on blocks our
  // alignment and first-line indent classes. Every other style is dropped.
  function applyStyles(body) {
    for (const element of Array.from(body.querySelectorAll("[data-style], [align]"))) {
      const style = declarations(element);
      const tag = element.tagName;
      if (BLOCKS.has(tag)) {
        const align = style["text-align"] || (element.getAttribute("align") || "").toLowerCase();
        if (ALIGN_CLASSES[align]) addClass(element, ALIGN_CLASSES[align]);
        // Any positive first-line indent: Chinese text indents two characters (21pt at 五号,
        // 32pt at 三号, or 2em); the site has that one indent.
        if (parseFloat(style["text-indent"]) > 0 && tag !== "TD" && tag !== "TH") {
          addClass(element, INDENT_CLASS);
        }
      }
      if (tag === "B" || tag === "STRONG") {
        if (/^(normal|[1-5]00)$/.test(style["font-weight"] || "")) unwrap(element); // Google Docs
        continue;
      }
      if (/^H[1-6]$|^TH$/.test(tag)) continue; // already bold; no <strong> inside
      const wraps = [];
      if (/^(bold|bolder|[6-9]00)$/.test(style["font-weight"] || "")) wraps.push("strong");
      if (style["font-style"] === "italic") wraps.push("em");
      const decoration = style["text-decoration"] || style["text-decoration-line"] || "";
      if (/underline/.test(decoration)) wraps.push("u");
      if (/line-through/.test(decoration)) wraps.push("s");
      if (style["vertical-align"] === "super") wraps.push("sup");
      if (style["vertical-align"] === "sub") wraps.push("sub");
      for (const wrap of wraps) wrapContent(element, wrap);
    }
  }

  function cleanDom(html) {
    const doc = new window.DOMParser().parseFromString(defuse(html), "text/html");
    const body = doc.body;
    takeListMarkers(body);
    buildLists(body);
    applyStyles(body);
    const comments = doc.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
    const dead = [];
    while (comments.nextNode()) dead.push(comments.currentNode);
    dead.forEach((comment) => comment.remove());
    for (const element of Array.from(body.querySelectorAll("*"))) {
      const tag = element.tagName.toLowerCase();
      if (tag === "o:p" || /^(meta|link|style|script|title|head)$/.test(tag)) {
        element.remove(); // Word's paragraph padding, and what is never content
      } else if (tag.indexOf(":") > 0 || tag === "font" || tag === "span") {
        unwrap(element); // <w:sdt> content controls, <font face>, styling spans: keep the text
      } else if (tag === "img" && !safeImage(element.getAttribute("src") || "")) {
        element.remove(); // Word's file:///C:/… and data: images cannot be shown on the site
      } else if (HEADING_LEVELS[element.tagName]) {
        rename(element, HEADING_LEVELS[element.tagName]);
      }
    }
    // Word and WPS pad documents with empty paragraphs; the sanitizer drops them too.
    for (const block of Array.from(body.querySelectorAll("p, h2, h3, h4"))) {
      if (BLANK.test(block.textContent) && !block.querySelector("img")) block.remove();
    }
    return body;
  }

  // A body without markup is paragraphs, one a line (portal/text.py paragraphs(), the same rule
  // the server applies when the form is sent without script).
  function plainParagraphs(text) {
    const body = inert.createElement("body");
    for (const line of text.split(LINES)) {
      if (line.trim()) {
        const paragraph = inert.createElement("p");
        // Tagless, so only text and entities, read as the server reads them.
        paragraph.innerHTML = line.replace(/^[ \t]+|[ \t]+$/g, "");
        body.appendChild(paragraph);
      }
    }
    return body;
  }

  function parseBody(value) {
    return parser.parse(MARKUP.test(value) ? cleanDom(value) : plainParagraphs(value));
  }

  // --- writing HTML: the textarea's value ------------------------------------------------------

  function isEmpty(doc) {
    const first = doc.firstChild;
    return (
      doc.childCount === 1 && first.type === schema.nodes.paragraph && first.content.size === 0
    );
  }

  // One top-level block a line, so the source view reads like the stored body.
  function serialize(doc) {
    if (isEmpty(doc)) return "";
    const lines = [];
    doc.forEach((node) => {
      const holder = inert.createElement("div");
      holder.appendChild(serializer.serializeNode(node, { document: inert }));
      lines.push(holder.innerHTML);
    });
    return lines.join("\n");
  }

  // --- commands ----------------------------------------------------------------------------------

  const types = schema.nodes;

  function currentBlock(state) {
    return state.selection.$from.parent;
  }

  function setBlock(type, level) {
    return (state, dispatch) => {
      const block = currentBlock(state);
      const attrs = { align: block.attrs.align || null, indent: !!block.attrs.indent };
      if (level) attrs.level = level;
      return PM.setBlockType(type, attrs)(state, dispatch);
    };
  }

  function blockIs(type, level) {
    return (state) => {
      const block = currentBlock(state);
      return block.type === type && (!level || block.attrs.level === level);
    };
  }

  // Set one attribute (align, indent) on every paragraph and heading in the selection.
  function setTextblocks(name, valueFor) {
    return (state, dispatch) => {
      const { from, to } = state.selection;
      const found = [];
      state.doc.nodesBetween(from, to, (node, pos) => {
        if (node.isTextblock && name in node.attrs) {
          found.push({ node: node, pos: pos });
          return false;
        }
        return true;
      });
      if (!found.length) return false;
      if (dispatch) {
        const value = valueFor(found.map((entry) => entry.node));
        const tr = state.tr;
        for (const entry of found) {
          const attrs = Object.assign({}, entry.node.attrs);
          attrs[name] = value;
          tr.setNodeMarkup(entry.pos, null, attrs);
        }
        dispatch(tr);
      }
      return true;
    };
  }

  const align = (value) => setTextblocks("align", () => value);
  const alignIs = (value) => (state) => (currentBlock(state).attrs.align || null) === value;
  const toggleIndent = setTextblocks("indent", (blocks) => !blocks.every((b) => b.attrs.indent));
  const indentIs = (state) => !!currentBlock(state).attrs.indent;

  function listAround(state) {
    const $from = state.selection.$from;
    for (let depth = $from.depth; depth > 0; depth--) {
      const node = $from.node(depth);
      if (node.type === types.ordered_list || node.type === types.bullet_list) {
        return { node: node, pos: $from.before(depth) };
      }
    }
    return null;
  }

  function toggleList(type) {
    return (state, dispatch) => {
      const list = listAround(state);
      if (!list) return PM.wrapInList(type)(state, dispatch);
      if (list.node.type === type) return PM.liftListItem(types.list_item)(state, dispatch);
      if (dispatch) dispatch(state.tr.setNodeMarkup(list.pos, type));
      return true;
    };
  }

  const listIs = (type) => (state) => {
    const list = listAround(state);
    return !!list && list.node.type === type;
  };

  function markIs(type) {
    return (state) => {
      const { from, $from, to, empty } = state.selection;
      if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
      return state.doc.rangeHasMark(from, to, type);
    };
  }

  // The link around the cursor (or the selection), as a range.
  function linkRange(state) {
    const { $from, from, to, empty } = state.selection;
    const type = schema.marks.link;
    if (!empty) {
      let found = null;
      state.doc.nodesBetween(from, to, (node) => {
        found = found || type.isInSet(node.marks);
      });
      return found ? { from: from, to: to, mark: found } : null;
    }
    const ranges = [];
    let pos = $from.start();
    let current = null;
    $from.parent.forEach((child) => {
      const mark = type.isInSet(child.marks);
      const end = pos + child.nodeSize;
      if (mark && current && current.mark.eq(mark) && current.to === pos) current.to = end;
      else if (mark) ranges.push((current = { from: pos, to: end, mark: mark }));
      else current = null;
      pos = end;
    });
    return ranges.find((range) => range.from <= from && from <= range.to) || null;
  }

  function setLink(href) {
    return (state, dispatch) => {
      const type = schema.marks.link;
      const range = linkRange(state);
      const { from, to, empty } = state.selection;
      const tr = state.tr;
      if (range) {
        tr.removeMark(range.from, range.to, type).addMark(
          range.from,
          range.to,
          type.create({ href }),
        );
      } else if (empty) {
        tr.insert(from, schema.text(href, [type.create({ href })]));
      } else {
        tr.addMark(from, to, type.create({ href }));
      }
      if (dispatch) dispatch(tr.scrollIntoView());
      return true;
    };
  }

  function unlink(state, dispatch) {
    const range = linkRange(state);
    if (!range) return false;
    if (dispatch) dispatch(state.tr.removeMark(range.from, range.to, schema.marks.link));
    return true;
  }

  function insertImage(src, alt) {
    return (state, dispatch) => {
      if (dispatch)
        dispatch(state.tr.replaceSelectionWith(types.image.create({ src, alt })).scrollIntoView());
      return true;
    };
  }

  function insertTable(state, dispatch) {
    if (PM.isInTable(state)) return false;
    if (dispatch) {
      const row = (cell) =>
        types.table_row.create(null, [
          cell.createAndFill(),
          cell.createAndFill(),
          cell.createAndFill(),
        ]);
      const table = types.table.create(null, [
        row(types.table_header),
        row(types.table_cell),
        row(types.table_cell),
      ]);
      const tr = state.tr.replaceSelectionWith(table);
      // Put the cursor in the first cell, to type the table's heading.
      tr.doc.descendants((node, pos) => {
        if (node === table) tr.setSelection(PM.TextSelection.near(tr.doc.resolve(pos + 1)));
        return node !== table && !node.isTextblock;
      });
      dispatch(tr.scrollIntoView());
    }
    return true;
  }

  const inTable = (command) => (state, dispatch) => PM.isInTable(state) && command(state, dispatch);

  // data-command in the template → [command, is it active (for aria-pressed)].
  const COMMANDS = {
    undo: [PM.undo],
    redo: [PM.redo],
    paragraph: [setBlock(types.paragraph), blockIs(types.paragraph)],
    h2: [setBlock(types.heading, 2), blockIs(types.heading, 2)],
    h3: [setBlock(types.heading, 3), blockIs(types.heading, 3)],
    h4: [setBlock(types.heading, 4), blockIs(types.heading, 4)],
    bold: [PM.toggleMark(schema.marks.strong), markIs(schema.marks.strong)],
    italic: [PM.toggleMark(schema.marks.em), markIs(schema.marks.em)],
    underline: [PM.toggleMark(schema.marks.underline), markIs(schema.marks.underline)],
    "ordered-list": [toggleList(types.ordered_list), listIs(types.ordered_list)],
    "bullet-list": [toggleList(types.bullet_list), listIs(types.bullet_list)],
    "align-left": [align(null), alignIs(null)],
    "align-center": [align("center"), alignIs("center")],
    "align-right": [align("right"), alignIs("right")],
    indent: [toggleIndent, indentIs],
    unlink: [unlink],
    table: [insertTable],
    "add-row": [inTable(PM.addRowAfter)],
    "delete-row": [inTable(PM.deleteRow)],
    "add-column": [inTable(PM.addColumnAfter)],
    "delete-column": [inTable(PM.deleteColumn)],
    "merge-cells": [PM.mergeCells],
    "split-cell": [PM.splitCell],
    "delete-table": [inTable(PM.deleteTable)],
  };

  // --- the surface ---------------------------------------------------------------------------

  function enhance() {
    const root = template.content.firstElementChild.cloneNode(true);
    const toolbar = root.querySelector("[role=toolbar]");
    const surface = root.querySelector(".richtext-surface");
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    const sourceButton = toolbar.querySelector("[data-command=source]");
    const label = document.querySelector("label[for='" + textarea.id + "']");
    let lastSynced = textarea.value;
    let sourceMode = false;

    function sync(doc) {
      lastSynced = textarea.value = serialize(doc);
      // Whoever watches the form (autosave, "unsaved changes") hears the change as typing.
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function createState(doc) {
      return PM.EditorState.create({
        doc: doc,
        plugins: [
          PM.history(),
          PM.keymap({
            "Mod-z": PM.undo,
            "Mod-y": PM.redo,
            "Shift-Mod-z": PM.redo,
            "Mod-b": PM.toggleMark(schema.marks.strong),
            "Mod-i": PM.toggleMark(schema.marks.em),
            "Mod-u": PM.toggleMark(schema.marks.underline),
            Enter: PM.splitListItem(types.list_item),
            "Mod-[": PM.liftListItem(types.list_item),
            "Mod-]": PM.sinkListItem(types.list_item),
            "Shift-Enter": PM.chainCommands(PM.exitCode, (state, dispatch) => {
              if (dispatch)
                dispatch(state.tr.replaceSelectionWith(types.hard_break.create()).scrollIntoView());
              return true;
            }),
            "Alt-F10": () => {
              focusButton(buttons.find((b) => b.tabIndex === 0) || buttons[0]);
              return true;
            },
          }),
          PM.keymap(PM.baseKeymap),
          PM.dropCursor(),
          PM.gapCursor(),
          PM.tableEditing(),
        ],
      });
    }

    const view = new PM.EditorView(surface, {
      state: createState(parseBody(textarea.value)),
      attributes: {
        class: "article-body richtext-editable",
        role: "textbox",
        "aria-multiline": "true",
        // Its own name ("正文（编辑区）", from the template): "正文" still names the field itself,
        // the textarea, which the source view shows.
        "aria-label": surface.dataset.label,
        "aria-describedby": [textarea.getAttribute("aria-describedby"), "richtext-help"]
          .filter(Boolean)
          .join(" "),
        "aria-invalid": textarea.getAttribute("aria-invalid") || "false",
      },
      transformPastedHTML: (html) => cleanDom(html).innerHTML,
      dispatchTransaction(tr) {
        view.updateState(view.state.apply(tr));
        if (tr.docChanged) sync(view.state.doc);
        updateToolbar();
      },
    });
    surface.id = textarea.id + "-editor";

    function load(value) {
      const doc = parseBody(value);
      const tr = view.state.tr.replaceWith(0, view.state.doc.content.size, doc.content);
      view.dispatch(tr);
    }

    // --- the toolbar: one tab stop, arrow keys between buttons (WAI-ARIA toolbar) ---

    function focusButton(button) {
      for (const other of buttons) other.tabIndex = other === button ? 0 : -1;
      button.focus();
    }

    function updateToolbar() {
      const state = view.state;
      for (const button of buttons) {
        const name = button.dataset.command;
        const entry = COMMANDS[name];
        // In the source view only the way back works; otherwise what can run here now.
        const enabled = sourceMode ? name === "source" : !entry || entry[0](state);
        // aria-disabled, not disabled: a disabled button loses the keyboard focus.
        button.setAttribute("aria-disabled", String(!enabled));
        if (entry && entry[1])
          button.setAttribute("aria-pressed", String(!sourceMode && entry[1](state)));
      }
      sourceButton.setAttribute("aria-pressed", String(sourceMode));
    }

    toolbar.addEventListener("keydown", (event) => {
      const index = buttons.indexOf(document.activeElement);
      if (index < 0) return;
      const moves = {
        ArrowRight: index + 1,
        ArrowDown: index + 1,
        ArrowLeft: index - 1,
        ArrowUp: index - 1,
        Home: 0,
        End: buttons.length - 1,
      };
      if (event.key in moves) {
        event.preventDefault();
        focusButton(buttons[(moves[event.key] + buttons.length) % buttons.length]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        view.focus();
      }
    });

    toolbar.addEventListener("mousedown", (event) => {
      // Keep the editor's selection (and focus) when a button is clicked with the mouse.
      if (event.target.closest("button") && !sourceMode) event.preventDefault();
    });

    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      for (const other of buttons) other.tabIndex = other === button ? 0 : -1;
      if (button.getAttribute("aria-disabled") === "true") return;
      const name = button.dataset.command;
      if (name === "source") return toggleSource();
      if (name === "link") {
        const range = linkRange(view.state);
        return openPanel("link", { href: range ? range.mark.attrs.href : "" });
      }
      if (name === "image") return openPanel("image", { src: "", alt: "" });
      const entry = COMMANDS[name];
      if (entry) {
        entry[0](view.state, view.dispatch);
        // Keyboard users stay in the toolbar; a mouse click goes on typing in the text.
        if (event.detail > 0) view.focus();
      }
    });

    // --- link and image: small panels instead of prompt() (no dialog, keyboard-friendly) ---

    const panels = Array.from(root.querySelectorAll("[data-panel]"));
    let openedFrom = null;

    function openPanel(name, values) {
      openedFrom = document.activeElement;
      for (const panel of panels) {
        panel.hidden = panel.dataset.panel !== name;
        if (!panel.hidden) {
          for (const input of panel.querySelectorAll("input[data-key]"))
            input.value = values[input.dataset.key] || "";
          showError(panel, "", null);
          panel.querySelector("input").focus();
        }
      }
    }

    function closePanel(panel) {
      panel.hidden = true;
      if (openedFrom && openedFrom.closest && openedFrom.closest("[role=toolbar]"))
        openedFrom.focus();
      else view.focus();
    }

    function showError(panel, message, field) {
      const error = panel.querySelector("[data-error]");
      error.textContent = message;
      error.hidden = !message;
      for (const input of panel.querySelectorAll("input")) {
        input.setAttribute("aria-invalid", String(input === field));
      }
      if (field) field.focus();
    }

    // A typed address must be absolute or from the site's root: "www.gov.cn" alone would be
    // read as a path on this site.
    const SAFE_URL = /^(https?:\/\/\S+|mailto:\S+|\/(?!\/)\S*)$/i;

    function applyPanel(panel) {
      const inputs = {};
      const values = {};
      for (const input of panel.querySelectorAll("input[data-key]")) {
        inputs[input.dataset.key] = input;
        values[input.dataset.key] = input.value.trim();
      }
      if (panel.dataset.panel === "link") {
        if (!values.href) {
          unlink(view.state, view.dispatch); // an emptied address removes the link
        } else if (!SAFE_URL.test(values.href)) {
          return showError(panel, panel.dataset.messageUrl, inputs.href);
        } else {
          setLink(values.href)(view.state, view.dispatch);
        }
      } else {
        if (!safeImage(values.src)) {
          return showError(panel, panel.dataset.messageUrl, inputs.src);
        }
        if (!values.alt) return showError(panel, panel.dataset.messageAlt, inputs.alt);
        insertImage(values.src, values.alt)(view.state, view.dispatch);
      }
      panel.hidden = true;
      view.focus();
    }

    for (const panel of panels) {
      panel.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && event.target.tagName === "INPUT") {
          event.preventDefault(); // never submit the article form from here
          applyPanel(panel);
        } else if (event.key === "Escape") {
          event.preventDefault();
          closePanel(panel);
        }
      });
      panel.addEventListener("click", (event) => {
        const action = event.target.closest("[data-panel-action]");
        if (!action) return;
        if (action.dataset.panelAction === "apply") applyPanel(panel);
        else closePanel(panel);
      });
    }

    // --- HTML source: the textarea itself, shown in place of the surface ---

    function toggleSource() {
      sourceMode = !sourceMode;
      panels.forEach((panel) => (panel.hidden = true));
      if (sourceMode) {
        surface.hidden = true;
        textarea.hidden = false;
        textarea.focus();
      } else {
        if (textarea.value !== lastSynced) load(textarea.value);
        textarea.hidden = true;
        surface.hidden = false;
        view.focus();
      }
      updateToolbar();
    }

    // Someone else set the field (editor-autosave.js putting back a kept draft): show it.
    const follow = () => {
      if (!sourceMode && textarea.value !== lastSynced) load(textarea.value);
    };
    textarea.addEventListener("input", follow);
    textarea.addEventListener("change", follow);

    if (label) {
      label.addEventListener("click", (event) => {
        if (!sourceMode) {
          event.preventDefault();
          view.focus();
        }
      });
    }

    // Only now, with everything in place, does the surface replace the textarea.
    textarea.before(root);
    textarea.hidden = true;
    updateToolbar();
    return view;
  }

  enhance();
})();
