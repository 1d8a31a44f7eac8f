// Live reload for `coursepress serve`; injected into served pages only, never into builds.
(() => {
  const me = document.currentScript;
  let build = Number(me.dataset.build);
  let overlay = null;

  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "coursepress-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#ffd7d7;padding:2rem;" +
        "font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(overlay);
    }
    overlay.innerHTML = "";
    const title = document.createElement("h2");
    title.textContent = "coursepress: the last rebuild failed";
    title.style.cssText = "color:#fff;font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
    const body = document.createElement("pre");
    body.textContent = text;
    body.style.cssText = "white-space:pre-wrap;margin:0";
    const note = document.createElement("p");
    note.textContent = "The page below is the last good build. Fix the file and save: " +
      "this message goes away by itself.";
    note.style.cssText = "color:#ccc;font:14px/1.4 system-ui,sans-serif";
    overlay.append(title, body, note);
  }

  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("coursepress", String(Date.now()));
      const fresh = link.cloneNode();
      fresh.href = url.toString();
      fresh.addEventListener("load", () => link.remove());
      link.after(fresh);
    }
  }

  const events = new EventSource("/__coursepress/events");
  events.addEventListener("state", (message) => {
    const state = JSON.parse(message.data);
    if (state.error) {
      showError(state.error);
      return;
    }
    if (state.build !== build) {
      if (state.cssOnly && state.build === build + 1 && !overlay) {
        build = state.build;
        swapStylesheets();
      } else {
        location.reload();
      }
    } else if (overlay) {
      overlay.remove();
      overlay = null;
    }
  });
})();
