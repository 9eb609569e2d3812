// hotswap live reload SharedWorker (/__hotswap/worker.js): one EventSource on /__hotswap/events for
// all of a browser's tabs, each event passed on to every tab's port as {type, data}.
'use strict';

const EVENTS = ['hello', 'serving', 'css', 'error', 'clear'];
const ports = new Set();
let state = null;  // {generation, error} of the live stream: what a tab that connects now is told
let source = null;

function send(port, message) {
  try { port.postMessage(message); } catch (_) { ports.delete(port); } // the tab is gone
}

// Keep the hello current, the way the server keeps its own (a serving version drops the error).
function track(type, data) {
  if (type === 'hello') state = Object.assign({}, data, { error: data.error || null });
  else if (!state) return;
  else if (type === 'serving') state = Object.assign({}, state, { generation: data.generation, error: null });
  else if (type === 'error') state = Object.assign({}, state, { error: data });
  else if (type === 'clear') state = Object.assign({}, state, { error: null });
}

function open() {
  const es = source = new EventSource('/__hotswap/events');
  EVENTS.forEach((type) => es.addEventListener(type, (e) => {
    if (typeof e.data !== 'string') return lost(es); // "error" also reports a lost connection
    let data;
    try { data = JSON.parse(e.data); } catch (_) { data = {}; }
    track(type, data || {});
    ports.forEach((port) => send(port, { type: type, data: data }));
  }));
}

function lost(es) {
  // The state may be stale (hotswap restarting, generations renumbered): tabs that connect meanwhile
  // wait for the next real hello instead.
  state = null;
  // EventSource retries network errors itself but gives up on an HTTP error status; retry those slowly.
  if (es === source && es.readyState === EventSource.CLOSED) {
    source = null;
    setTimeout(() => { if (!source) open(); }, 3000);
  }
}

// A tab arrives: it hears the current state at once, from the stream already open.
self.onconnect = (e) => {
  const port = e.ports[0];
  port.onmessage = (m) => { if (m.data && m.data.type === 'bye') ports.delete(port); };
  ports.add(port);
  if (state) send(port, { type: 'hello', data: state });
  if (!source) open();
};
