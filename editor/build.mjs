// Builds static/vendor/prosemirror/ (or the folder given as the argument) from node_modules,
// as `make editor` runs it after `npm ci`: the bundle, its stylesheet (ProseMirror's own CSS,
// shipped as a file: the CSP allows no injected styles) and the licenses of everything bundled.
// The same lockfile always gives the same bytes (tests/browser/test_editor_paste_bundle.py).
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, "..", "static", "vendor", "prosemirror");
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, "entry.js")],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "PortalProseMirror",
  target: ["es2019"],
  legalComments: "none", // the licenses are in LICENSE beside the bundle
  metafile: true,
  write: false,
});
const banner = "/* ProseMirror (MIT), bundled for the portal's editor: see LICENSE and editor/. */\n";
writeFileSync(join(out, "prosemirror.min.js"), banner + result.outputFiles[0].text);

const css = ["prosemirror-view/style/prosemirror.css", "prosemirror-tables/style/tables.css"];
writeFileSync(
  join(out, "prosemirror.css"),
  css.map((file) => `/* ${file} */\n` + readFileSync(join(here, "node_modules", file), "utf8")).join("\n"),
);

// Every package with code in the bundle, with its license text.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.add(match[1]);
}
const sections = [...packages].sort().map((name) => {
  const root = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  let text;
  for (const file of ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"]) {
    try { text = readFileSync(join(root, file), "utf8"); break; } catch { /* next name */ }
  }
  if (!text) throw new Error(`${name}: no license file`);
  return `${name} ${meta.version} (${meta.license})\n\n${text.trim()}\n`;
});
writeFileSync(join(out, "LICENSE"), sections.join("\n" + "-".repeat(72) + "\n\n"));
console.log(`${out}: ${packages.size} packages`);
