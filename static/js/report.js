// The session summary page. No inline script (CSP): everything the page needs from the server
// comes in data-* attributes.
//  - Shell (opened without a valid ?token=): look for the token the game page keeps in this
//    browser (facilitator first, then participant) and come back with it.
//  - Report: print button; for the facilitator, create / revoke read-only share links.
(function () {
  "use strict";

  var shell = document.querySelector("main.shell");
  if (shell) {
    var code = (shell.dataset.code || "").toUpperCase();
    var state = shell.dataset.state;
    if (!code || state === "not_found") return;
    var current = new URLSearchParams(window.location.search).get("token");
    var stored = null;
    try {
      stored = window.localStorage.getItem("exploria:facilitator:" + code) ||
        window.localStorage.getItem("exploria:player:" + code);
    } catch (e) {
      stored = null; // storage blocked: the message on the page says what to do
    }
    if (stored && stored !== current) {
      var params = new URLSearchParams(window.location.search);
      params.set("token", stored);
      window.location.replace(window.location.pathname + "?" + params.toString());
    }
    return;
  }

  var printButton = document.getElementById("report-print");
  if (printButton && window.print) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  var share = document.getElementById("share");
  var toolbar = document.getElementById("report-toolbar");
  if (!share || !toolbar) return;
  var roomCode = toolbar.dataset.code;
  var token = new URLSearchParams(window.location.search).get("token") || "";
  var status = document.getElementById("share-status");
  var box = document.getElementById("share-link");
  var input = document.getElementById("share-url");

  function say(message) { status.textContent = message; }

  function call(method) {
    return fetch("/api/rooms/" + encodeURIComponent(roomCode) + "/shares", {
      method: method,
      headers: { "Authorization": "Bearer " + token },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  document.getElementById("share-create").addEventListener("click", function () {
    call("POST").then(function (body) {
      input.value = body.url;
      box.hidden = false;
      input.select();
      say(share.dataset.msgCreated);
    }).catch(function () { say(share.dataset.msgError); });
  });

  document.getElementById("share-revoke").addEventListener("click", function () {
    call("DELETE").then(function () {
      input.value = "";
      box.hidden = true;
      say(share.dataset.msgRevoked);
    }).catch(function () { say(share.dataset.msgError); });
  });

  document.getElementById("share-copy").addEventListener("click", function () {
    input.select();
    var done = function () { say(share.dataset.msgCopied); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
