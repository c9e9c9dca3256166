// The session summary page, an ES module. No inline script (CSP): everything the page needs
// from the server comes in data-* attributes; seats come from storage.js (one place knows the
// storage keys).
//  - Shell (opened without a valid ?token=): look for the token the game page keeps in this
//    browser (facilitator first, then participant) and come back with it.
//  - Report: print button; for the facilitator, create / revoke read-only share links.
import { seats } from "./storage.js";

function fromShell(shell) {
  const code = (shell.dataset.code || "").toUpperCase();
  if (!code || shell.dataset.state === "not_found") return;
  const params = new URLSearchParams(window.location.search);
  const current = params.get("token");
  const stored = seats.facilitator(code) || seats.player(code);
  if (stored && stored !== current) {
    params.set("token", stored);
    window.location.replace(`${window.location.pathname}?${params.toString()}`);
  }
}

function printing() {
  const button = document.getElementById("report-print");
  if (button && window.print) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}

function sharing() {
  const share = document.getElementById("share");
  const toolbar = document.getElementById("report-toolbar");
  if (!share || !toolbar) return;
  const roomCode = toolbar.dataset.code;
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const status = document.getElementById("share-status");
  const box = document.getElementById("share-link");
  const input = document.getElementById("share-url");
  const say = (message) => { status.textContent = message; };

  async function call(method) {
    const response = await fetch(`/api/rooms/${encodeURIComponent(roomCode)}/shares`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  document.getElementById("share-create").addEventListener("click", async () => {
    try {
      const body = await call("POST");
      input.value = body.url;
      box.hidden = false;
      input.select();
      say(share.dataset.msgCreated);
    } catch {
      say(share.dataset.msgError);
    }
  });

  document.getElementById("share-revoke").addEventListener("click", async () => {
    try {
      await call("DELETE");
      input.value = "";
      box.hidden = true;
      say(share.dataset.msgRevoked);
    } catch {
      say(share.dataset.msgError);
    }
  });

  document.getElementById("share-copy").addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");
    }
    say(share.dataset.msgCopied);
  });
}

const shell = document.querySelector("main.shell");
if (shell) {
  fromShell(shell);
} else {
  printing();
  sharing();
}
