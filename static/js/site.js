// Every page: on a shared laptop, keep no offline copies or cached notes of anyone but the
// person logged in now (unsent changes are never touched: they wait for their author).
const me = document.body.dataset.user || "";

/** Resolves when the copies are gone (or could not be reached). */
function forgetOthers(keepMine) {
  const mine = keepMine && me ? `rc-pages-${me}` : null;
  try {
    for (const key of Object.keys(localStorage)) {
      // rc:<user>:<assignment>:state is a copy of saved notes, kept for offline reloads
      if (key.endsWith(":state") && !(mine && key.startsWith(`rc:${me}:`))) localStorage.removeItem(key);
    }
  } catch { /* storage blocked */ }
  const jobs = [];
  if ("caches" in window) {
    jobs.push(caches.keys().then((names) => Promise.all(names
      .filter((n) => n.startsWith("rc-pages") && n !== mine)
      .map((n) => caches.delete(n)))));
  }
  // nobody logged in (logging out, or the login page): the offline helper goes too, so no
  // page that follows passes through a helper made for the last student
  if (!mine && "serviceWorker" in navigator) {
    jobs.push(navigator.serviceWorker.getRegistrations()
      .then((regs) => Promise.all(regs.map((r) => r.unregister()))));
  }
  return Promise.all(jobs.map((j) => j.catch(() => {})));
}

forgetOthers(true); // also runs on the login page, where nobody is logged in

// Logging out waits (a moment at most) for the copies to be gone before leaving the page:
// a page that is unloading may never finish deleting them.
document.querySelectorAll("form[data-logout]").forEach((form) => {
  let leaving = false;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (leaving) return; // a second click while the first is on its way
    leaving = true;
    let forgotten;
    try {
      forgotten = forgetOthers(false);
    } catch {
      forgotten = Promise.resolve(); // storage refused: log out all the same
    }
    const go = () => {
      form.submit();
      // still here (the student chose to stay on the page): the button works again
      setTimeout(() => { leaving = false; }, 1000);
    };
    Promise.race([forgotten, new Promise((r) => { setTimeout(r, 2000); })]).then(go, go);
  });
  // a page brought back from the browser's history: not on its way out any more
  window.addEventListener("pageshow", () => { leaving = false; });
});
