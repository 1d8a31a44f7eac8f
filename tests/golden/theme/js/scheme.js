// Before the page is drawn: the scheme the reader chose with the toggle, if any (theme.js),
// and the "js" class, under which a phone's header folds its menu away.
document.documentElement.classList.add("js");
try {
  var chosen = localStorage.getItem("coursepress-scheme");
  if (chosen === "light" || chosen === "dark") document.documentElement.dataset.scheme = chosen;
} catch (error) {
  // Storage refused: the system's scheme.
}
