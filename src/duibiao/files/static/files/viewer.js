// The file viewer (files/viewer.html). A PDF is drawn by pdf.js onto one canvas, a page at a
// time; the browser's own PDF viewer is never used (it refuses sandboxed files on many
// Chromium versions). pdf.js reads the file as data: scripts in a PDF never run, and it is
// told not to evaluate code or compile WebAssembly, so the site's policy stays 'self' only.
// Everything comes from data-* attributes (the policy allows no inline script), including
// the messages, which the template translates.

const PDF_TO_CSS = 96 / 72; // 100 % shows a PDF point as 1/72 inch
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 4;
const STEP = 1.25;

const clamp = (zoom) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));

function showError(root, message) {
  const box = root.querySelector("[data-viewer-error]");
  box.textContent = message;
  box.classList.remove("d-none");
  root.querySelector("[data-loading]")?.classList.add("d-none");
  root.dataset.state = "failed";
}

function errorMessage(root, error) {
  const name = error && error.name;
  if (name === "PasswordException") return root.dataset.msgPassword;
  if (name === "ResponseException" || name === "MissingPDFException") return root.dataset.msgMissing;
  return root.dataset.msgFailed;
}

async function openPdf(root) {
  const $ = (selector) => root.querySelector(selector);
  const canvas = $("canvas");
  const stage = $("[data-stage]");
  let doc;
  try {
    const pdfjs = await import(root.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker; // a module worker from 'self'
    doc = await pdfjs.getDocument({
      url: root.dataset.src, // the gated download route (attachment, application/pdf)
      isEvalSupported: false, // for pdf.js versions that still read it; the policy forbids eval anyway
      useWasm: false, // the image decoders' plain-JavaScript versions: no 'wasm-unsafe-eval'
      enableXfa: false,
      cMapUrl: root.dataset.cmaps,
      cMapPacked: true,
      standardFontDataUrl: root.dataset.fonts,
      wasmUrl: root.dataset.wasm,
    }).promise;
  } catch (error) {
    showError(root, errorMessage(root, error));
    return;
  }

  const state = { page: 1, zoom: 1, fit: true };
  let queue = Promise.resolve();

  async function draw() {
    const page = await doc.getPage(state.page);
    const natural = page.getViewport({ scale: PDF_TO_CSS });
    if (state.fit) state.zoom = clamp((stage.clientWidth - 34) / natural.width);
    const viewport = page.getViewport({ scale: state.zoom * PDF_TO_CSS });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    await page.render({ canvas, viewport, transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0] }).promise;
    canvas.classList.remove("d-none");
    $("[data-loading]").classList.add("d-none");
    $("[data-page-number]").textContent = String(state.page);
    $("[data-zoom]").textContent = `${Math.round(state.zoom * 100)}%`;
    $("[data-action=prev]").disabled = state.page <= 1;
    $("[data-action=next]").disabled = state.page >= doc.numPages;
    $("[data-action=zoom-out]").disabled = state.zoom <= MIN_ZOOM;
    $("[data-action=zoom-in]").disabled = state.zoom >= MAX_ZOOM;
    $("[data-action=fit]").disabled = false;
    root.dataset.renderedPage = String(state.page);
    root.dataset.state = "rendered";
  }

  // One drawing at a time: a click while a page is drawing waits for it, then draws anew.
  function show() {
    root.dataset.state = "drawing";
    queue = queue.then(draw).catch(() => showError(root, root.dataset.msgFailed));
  }

  const actions = {
    prev: () => { state.page = Math.max(1, state.page - 1); },
    next: () => { state.page = Math.min(doc.numPages, state.page + 1); },
    "zoom-in": () => { state.fit = false; state.zoom = clamp(state.zoom * STEP); },
    "zoom-out": () => { state.fit = false; state.zoom = clamp(state.zoom / STEP); },
    fit: () => { state.fit = true; },
  };
  root.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!button || button.disabled) return;
    actions[button.dataset.action]();
    show();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLElement && event.target.closest("input, select, textarea")) return;
    const action = { ArrowLeft: "prev", PageUp: "prev", ArrowRight: "next", PageDown: "next" }[event.key];
    if (!action) return;
    event.preventDefault();
    actions[action]();
    show();
  });
  let resized = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(() => { if (state.fit) show(); }, 200);
  });

  $("[data-page-count]").textContent = String(doc.numPages);
  root.dataset.pages = String(doc.numPages);
  show();
}

function watchImage(image) {
  const fail = () => {
    image.classList.add("d-none");
    document.querySelector("[data-viewer-error]").classList.remove("d-none");
  };
  // A module runs after parsing: the image may have failed already.
  if (image.complete && image.naturalWidth === 0) fail();
  else image.addEventListener("error", fail);
}

const viewer = document.querySelector("[data-pdf-viewer]");
if (viewer) openPdf(viewer);
const image = document.querySelector("[data-image-viewer]");
if (image) watchImage(image);
