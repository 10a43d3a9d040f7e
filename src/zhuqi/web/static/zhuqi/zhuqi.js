// Behaviour the pages share, from a file: the Content-Security-Policy runs no inline handler.
// A select marked data-autosubmit submits its form when it changes (language, year).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
