// Every page: on a shared laptop, keep no offline copies or cached notes of anyone but the
// person logged in now (unsent changes are never touched: they wait for their author).
const me = document.body.dataset.user || "";

function forgetOthers(keepMine) {
  const mine = keepMine && me ? `rc-pages-${me}` : null;
  if ("caches" in window) {
    caches.keys().then((names) => names
      .filter((n) => n.startsWith("rc-pages") && n !== mine)
      .forEach((n) => caches.delete(n))).catch(() => {});
  }
  try {
    for (const key of Object.keys(localStorage)) {
      // rc:<user>:<assignment>:state is a copy of saved notes, kept for offline reloads
      if (key.endsWith(":state") && !(mine && key.startsWith(`rc:${me}:`))) localStorage.removeItem(key);
    }
  } catch { /* storage blocked */ }
}

forgetOthers(true); // also runs on the login page, where nobody is logged in
document.querySelectorAll("form[data-logout]").forEach((form) => {
  form.addEventListener("submit", () => forgetOthers(false));
});
