// Every page: on log-out, forget the offline copies of lesson pages kept on this device.
document.querySelectorAll("form[data-logout]").forEach((form) => {
  form.addEventListener("submit", () => {
    if ("caches" in window) caches.delete("rc-pages");
    try {
      for (const key of Object.keys(localStorage)) {
        if (key.endsWith(":state")) localStorage.removeItem(key);
      }
    } catch { /* storage blocked */ }
  });
});
