// hello-web's page script (a file, not inline, so a strict Content-Security-Policy allows it). It keeps a
// WebSocket to /ws open: "ping N" every 500 ms, the last echo shown in #ws, and a new socket 300 ms after
// one closes, so the page reconnects to the new version after a reload.
(function () {
  "use strict";
  var status = document.getElementById("ws");
  var n = 0;

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws");
    var timer = null;
    socket.onopen = function () {
      status.dataset.connected = "1";
      status.textContent = "connected";
      timer = setInterval(function () {
        n += 1;
        socket.send("ping " + n);
      }, 500);
    };
    socket.onmessage = function (event) {
      status.textContent = "echo: " + event.data;
    };
    socket.onclose = function () {
      clearInterval(timer);
      status.dataset.connected = "0";
      status.textContent = "disconnected, reconnecting";
      setTimeout(connect, 300);
    };
  }

  connect();
})();
