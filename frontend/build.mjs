// Copies the built files of the npm packages into the web app's static folder.
// Nothing from node_modules is committed: `make` runs this after `npm ci`.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "duibiao", "web", "static", "dist");
const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
  "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap.min.css.map",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
  // The minified files name their source maps; collectstatic checks that they exist.
  "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap.bundle.min.js.map",
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts.min.js",
  // pdf.js for the evidence viewer. The legacy build carries its own polyfills: office
  // machines often run browsers on an older Chromium than the modern build expects.
  "pdfjs-dist/legacy/build/pdf.min.mjs": "pdfjs/pdf.min.mjs",
  "pdfjs-dist/legacy/build/pdf.worker.min.mjs": "pdfjs/pdf.worker.min.mjs",
  "pdfjs-dist/LICENSE": "pdfjs/LICENSE",
  // Image decoders in plain JavaScript: the viewer runs with useWasm off, so the site's
  // policy needs no 'wasm-unsafe-eval'.
  "pdfjs-dist/wasm/jbig2_nowasm_fallback.js": "pdfjs/wasm/jbig2_nowasm_fallback.js",
  "pdfjs-dist/wasm/openjpeg_nowasm_fallback.js": "pdfjs/wasm/openjpeg_nowasm_fallback.js",
};
// Whole folders: character maps (Chinese documents whose fonts are not embedded need the
// Adobe-GB1 maps) and the standard fonts of PDFs that name a font without embedding it.
const folders = {
  "pdfjs-dist/cmaps": "pdfjs/cmaps",
  "pdfjs-dist/standard_fonts": "pdfjs/standard_fonts",
};
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(files)) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(join(here, "node_modules", from), join(out, to));
}
for (const [from, to] of Object.entries(folders)) {
  cpSync(join(here, "node_modules", from), join(out, to), { recursive: true });
}
console.log(`front-end files copied to ${out}`);
