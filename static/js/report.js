// The session summary page, an ES module. No inline script (CSP): everything the page needs
// from the server comes in data-* attributes; seats come from storage.js (one place knows the
// storage keys).
//  - Shell (opened without access): trade the token the game page keeps in this browser
//    (facilitator first, then participant) for a short read-only pass — an HttpOnly cookie set
//    by POST /api/rooms/{code}/report-pass — and reload. The token never goes into the
//    address, so it stays out of history, bookmarks and proxy logs.
//  - Report: print button; for the facilitator, create / revoke read-only share links.
import { seats } from "./storage.js";

function storedToken(code) {
  return seats.facilitator(code) || seats.player(code) || "";
}

async function fromShell(shell) {
  const code = (shell.dataset.code || "").toUpperCase();
  if (!code || shell.dataset.state === "not_found") return;
  const stored = storedToken(code);
  const tried = `exploria.report-pass.${code}`;
  if (!stored || window.sessionStorage.getItem(tried) === stored) return; // once: no reload loop
  window.sessionStorage.setItem(tried, stored);
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(code)}/report-pass`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stored}` },
      credentials: "same-origin",
    });
    if (response.status === 204) window.location.reload();
  } catch {
    // offline or refused: the shell's message stays
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
  const token = seats.facilitator(roomCode) || "";
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

// The follow-up link carries a token in its fragment (never sent to the server); a page opened
// with a pass has none to give, so this browser's own token fills it in.
function followUp() {
  const link = document.getElementById("report-follow-up");
  const toolbar = document.getElementById("report-toolbar");
  if (!link || !toolbar) return;
  const url = new URL(link.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  if (fragment.get("token")) return;
  const stored = storedToken(toolbar.dataset.code);
  if (!stored) return;
  fragment.set("token", stored);
  url.hash = fragment.toString();
  link.href = url.toString();
}

const shell = document.querySelector("main.shell");
if (shell) {
  fromShell(shell);
} else {
  printing();
  sharing();
  followUp();
}
