// The site's own behaviours, bound by data attributes on the page: the Content-Security-Policy runs no inline script
// or handler (lanshan/settings/base.py). Listening on the document also serves content htmx swaps in later.
document.addEventListener("change", (event) => {
  // A filter that applies itself: a select whose choice sends its form (the language, a month, a year).
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) {
    field.form.submit();
  }
});

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
    return;
  }
  // A form's "add a row" button: a copy of the empty row's template, numbered next, and one more in TOTAL_FORMS.
  const adder = event.target.closest("[data-add-row]");
  if (adder) {
    const total = document.getElementById(adder.dataset.totalForms);
    const html = document.getElementById(adder.dataset.rowTemplate).innerHTML.replace(/__prefix__/g, total.value);
    document.getElementById(adder.dataset.rows).insertAdjacentHTML("beforeend", html);
    total.value = parseInt(total.value, 10) + 1;
  }
});
