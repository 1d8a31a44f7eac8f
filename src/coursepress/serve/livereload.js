// Live reload for `coursepress serve`; injected into served pages only, never into builds.
(() => {
  const me = document.currentScript;
  let build = Number(me.dataset.build);
  let overlay = null;

  // The overlay lives in a shadow root: the site's stylesheets (a theme's `pre` with a light
  // background, say) cannot reach its text, whatever the page's scheme.
  const OVERLAY_STYLE = `
    :host { all: initial; position: fixed; inset: 0; z-index: 2147483647; overflow: auto;
      background: rgb(20 20 20 / 0.96); color: #ffd7d7; padding: 2rem;
      font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
    h2 { color: #ffffff; font: bold 18px/1.4 system-ui, sans-serif; margin: 0 0 1rem; }
    pre { white-space: pre-wrap; margin: 0; color: #ffd7d7; background: none; border: 0;
      padding: 0; font: inherit; }
    p { color: #d0d0d0; font: 14px/1.4 system-ui, sans-serif; }`;

  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "coursepress-error";
      overlay.setAttribute("role", "alert");
      overlay.attachShadow({ mode: "open" });
      document.body.appendChild(overlay);
    }
    const style = document.createElement("style");
    style.textContent = OVERLAY_STYLE;
    const title = document.createElement("h2");
    title.textContent = "coursepress: the last rebuild failed";
    const body = document.createElement("pre");
    body.textContent = text;
    const note = document.createElement("p");
    note.textContent = "The page below is the last good build. Fix the file and save: " +
      "this message goes away by itself.";
    overlay.shadowRoot.replaceChildren(style, title, body, note);
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
