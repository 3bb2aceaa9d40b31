// "Submit my work": refused while an annotation is "Not saved" or waits for a conflict choice;
// otherwise, once confirmed, the last changes are sent first, then the submission, and the
// page reloads to show it read-only.

/** The submit form's handler. button: #submit-button; submitUrl: the API's submit address;
 * submitted(win): what follows a submission (a reload, to show the work read-only). */
export function submitHandler({ win, button, submitUrl, sync, state, toast, submitted = reload }) {
  const doc = win.document;
  return async (e) => {
    e.preventDefault();
    if (sync.rejected().length) {
      toast("Some annotations are marked “Not saved”. Fix or delete them before you submit.");
      const first = doc.querySelector(".ann .error");
      if (first) first.closest(".ann").querySelector("button").focus();
      return;
    }
    if (sync.conflicts().length) {
      toast("An annotation was changed in another tab. Choose which version to keep before you submit.");
      const first = doc.querySelector("#annotation-list [data-act=theirs]");
      if (first) first.focus();
      return;
    }
    if (!win.confirm("Submit your work now? After you submit, you can't change it.")) return;
    button.disabled = true;
    button.textContent = "Saving your last changes…";
    const flushed = await sync.flush();
    if (!flushed) {
      button.disabled = false;
      button.textContent = "Submit my work";
      toast("Some changes haven't reached the server yet (are you offline?). They're kept on this device. "
        + "Try submitting again when you're connected.");
      return;
    }
    button.textContent = "Submitting…";
    try {
      let r = await sync.request("POST", submitUrl, {});
      if (r.status === 400 && (await sync.refreshToken())) r = await sync.request("POST", submitUrl, {});
      if (!r.ok) throw new Error(String(r.status));
      state.forget();
      submitted(win);
    } catch {
      button.disabled = false;
      button.textContent = "Submit my work";
      toast("We couldn't submit just now. Your work is saved; try again in a moment.");
    }
  };
}

/** Show the submitted work, read-only, from the top of the page. */
function reload(win) {
  win.history.scrollRestoration = "manual"; // show the "submitted" banner at the top
  win.scrollTo(0, 0);
  win.location.reload();
}
