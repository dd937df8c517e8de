// Behaviour that used to sit in inline attributes (onchange=, onclick=, style=): the
// Content-Security-Policy allows scripts and styles from our own files only, so pages say
// what they want in data-* attributes and this file does it. Delegated from the document,
// so rows that htmx swaps in later behave the same.
(function () {
  "use strict";

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (!(el instanceof HTMLElement)) return;
    if (el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit();
    } else if (el.matches("[data-htmx-submit]") && el.form && window.htmx) {
      // htmx wires a swapped-in row only when it settles (~20 ms later): a file chosen in that
      // moment would trigger a form htmx does not know yet, and nothing would be sent.
      // process() wires it now (and does nothing to a form already wired).
      window.htmx.process(el.form);
      window.htmx.trigger(el.form, "submit");
    } else if (el.matches("select[data-navigate]") && el.value) {
      window.location.href = el.value;
    }
  });

  document.addEventListener("click", (event) => {
    const el = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
  });

  // A body over the site's limit is answered 413 with a page of its own, which cannot be
  // swapped into a row: say it in a dialog instead of failing silently.
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 413) return;
    const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const message = page.querySelector("[data-testid=too-large]");
    window.alert(message ? message.textContent.trim() : xhr.statusText);
  });

  // Sizes that depend on data (a progress bar, a chart's height, an indent): set through
  // the style object, which the policy allows, instead of a style="" attribute, which it does not.
  function size(root) {
    root.querySelectorAll("[data-width-percent]").forEach((el) => {
      el.style.width = Math.max(0, Math.min(100, Number(el.dataset.widthPercent) || 0)) + "%";
    });
    root.querySelectorAll("[data-height-rem]").forEach((el) => {
      el.style.height = (Number(el.dataset.heightRem) || 0) + "rem";
    });
    root.querySelectorAll("[data-indent-rem]").forEach((el) => {
      el.style.paddingLeft = (Number(el.dataset.indentRem) || 0) + "rem";
    });
  }
  // htmx fires htmx:load for the page and for every piece of content it swaps in.
  document.addEventListener("htmx:load", (event) => size(event.target));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => size(document));
  else size(document);
})();
