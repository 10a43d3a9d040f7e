// Behaviour the pages share, from a file: the Content-Security-Policy runs no inline handler.
// A select marked data-autosubmit submits its form when it changes (language, year).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});

// A form marked data-confirm asks before it is sent (withdrawing or returning an appeal).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
