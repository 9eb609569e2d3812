// hotswap live reload: the page script the front injects into every HTML page as
// <script src="/__hotswap/live.js" data-hotswap-generation="N">. It follows /__hotswap/events and
// reloads the page when another version serves, swaps changed stylesheets in place, and shows
// build/start errors in an overlay.
(function () {
  'use strict';
  if (window.__hotswap) return; // the tag came twice (a page that embeds it and the front's injection)

  const me = document.currentScript || document.querySelector('script[data-hotswap-generation]');
  const parsed = parseInt(me ? me.getAttribute('data-hotswap-generation') : '', 10);
  const pageGeneration = Number.isInteger(parsed) ? parsed : null;
  const nonce = (me && me.nonce) || '';
  const EVENTS = ['hello', 'serving', 'css', 'error', 'clear'];

  let connected = false; // a hello arrived
  let reloading = false; // location.reload() called: ignore whatever arrives before the page goes
  let shown = null;      // JSON of the error in the overlay
  let dismissed = null;  // JSON of the error the user closed: a reconnect's hello must not reopen it
  let host = null, titleEl = null, kindEl = null, preEl = null;
  let port = null, source = null;

  const api = {
    generation: pageGeneration,
    transport: null,
    events: 0,
    overlay: () => !!(host && host.isConnected),
    overlayText: () => (api.overlay() ? titleEl.textContent + '\n' + preEl.textContent : ''),
  };
  window.__hotswap = api;

  function handle(type, data) {
    if (EVENTS.indexOf(type) < 0) return;
    api.events++;
    if (reloading) return;
    data = data || {};
    if (type === 'hello') {
      if (!connected) document.documentElement.dataset.hotswapConnected = '1';
      connected = true;
      // Without a known page generation every hello would look new: only `serving` reloads then.
      const g = data.generation;
      if (pageGeneration !== null && typeof g === 'number' && g > 0 && g !== pageGeneration) return reload(g);
      if (!data.error) { dismissed = null; hideOverlay(); }
      else if (JSON.stringify(data.error) !== dismissed) showOverlay(data.error);
    } else if (type === 'serving') {
      if (typeof data.generation === 'number' && data.generation !== pageGeneration) return reload(data.generation);
      hideOverlay(); // the server forgets its error once a version serves; so do we
    } else if (type === 'css') {
      swapStylesheets(data.paths);
    } else if (type === 'error') {
      showOverlay(data); // always: the same failure again after another save is news
    } else if (type === 'clear') {
      dismissed = null;
      hideOverlay();
    }
  }

  // A reload that brings back the same old generation (sticky routing, a cached page, a race with the
  // switch) would loop on every hello; give up after a few tries for the same step. Keyed by URL:
  // same-origin frames share the tab's sessionStorage.
  function reload(target) {
    const key = 'hotswap-reload ' + location.href, mark = pageGeneration + '>' + target;
    try {
      const last = JSON.parse(sessionStorage.getItem(key) || 'null');
      const tries = last && last.mark === mark && Date.now() - last.at < 10000 ? last.tries + 1 : 1;
      if (tries > 3) return console.debug('[hotswap] still generation', pageGeneration, 'after reloading for', target);
      sessionStorage.setItem(key, JSON.stringify({ mark: mark, at: Date.now(), tries: tries }));
    } catch (_) { /* no storage: reload unguarded */ }
    console.debug('[hotswap] generation', target, 'serves; reloading generation', pageGeneration);
    reloading = true;
    location.reload();
  }

  // ---- stylesheets -------------------------------------------------------------------------------

  function swapStylesheets(paths) {
    const suffixes = [];
    (Array.isArray(paths) ? paths : []).forEach((p) => {
      if (typeof p !== 'string' || !p) return;
      p = p.replace(/\\/g, '/').replace(/^(\.?\/)+/, '');
      suffixes.push('/' + p, '/' + p.slice(p.lastIndexOf('/') + 1));
    });
    if (!suffixes.length) return;
    document.querySelectorAll('link[rel~="stylesheet" i][href]').forEach((link) => {
      if (link.hasAttribute('data-hotswap-stale')) return; // its replacement is already loading
      let url;
      try { url = new URL(link.href); } catch (_) { return; }
      if (url.origin !== location.origin) return; // a CDN's style.css is not the file that changed
      let path = url.pathname;
      try { path = decodeURIComponent(path); } catch (_) { /* keep it encoded */ }
      if (!suffixes.some((s) => path.endsWith(s))) return;

      url.searchParams.set('hotswap', String(Date.now()));
      const next = link.cloneNode(false);
      next.removeAttribute('integrity'); // the new content cannot match the old hash
      if (link.nonce) next.nonce = link.nonce; // browsers hide the nonce attribute; the property keeps it
      next.href = url.href;
      link.setAttribute('data-hotswap-stale', '');
      // The old sheet stays until the new one applies, so the page never shows unstyled.
      let done = false;
      const finish = () => { if (!done) { done = true; link.remove(); } };
      next.addEventListener('load', finish);
      next.addEventListener('error', finish);
      setTimeout(finish, 10000); // alternate or media-disabled sheets may never fire load
      link.parentNode.insertBefore(next, link.nextSibling);
      console.debug('[hotswap] stylesheet', url.pathname, 'swapped');
    });
  }

  // ---- overlay -----------------------------------------------------------------------------------

  const COLOURS = ['#7f7f7f', '#ff6b68', '#7ccf6b', '#e5c66a', '#6aa9ff', '#d68cf5', '#5fd7d7', '#e0e0e0',
    '#a0a0a0', '#ff8f8c', '#9ff28e', '#fff08a', '#94c3ff', '#ebb0ff', '#8ff5f5', '#ffffff'];
  const CSS = ':host{all:initial!important;position:fixed!important;top:0!important;left:0!important;' +
    'right:0!important;bottom:0!important;z-index:2147483647!important;display:block!important}' +
    '.box{position:absolute;inset:0;overflow:auto;box-sizing:border-box;padding:24px 32px;' +
    'background:rgba(18,18,22,.93);color:#e0e0e0;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}' +
    'header{display:flex;align-items:baseline;gap:12px;margin-bottom:16px}' +
    'h1{margin:0;font:bold 18px/1.3 system-ui,sans-serif;color:#ff6b68}' +
    '.kind{flex:1;color:#a0a0a0;font-size:12px;text-transform:uppercase}' +
    'button{all:unset;cursor:pointer;font-size:26px;line-height:1;color:#e0e0e0;padding:0 6px}' +
    'button:hover{color:#fff}pre{margin:0;font:inherit;white-space:pre-wrap;overflow-wrap:anywhere}' +
    '.b{font-weight:bold}' + COLOURS.map((c, i) => '.c' + i + '{color:' + c + '}').join('') +
    '.loc{color:#ffd866;font-weight:bold;text-decoration:underline}';

  function build() {
    host = document.createElement('hotswap-overlay'); // not a div: page rules for div never reach it
    host.id = 'hotswap-overlay';
    const root = host.attachShadow({ mode: 'open' });
    try { // a constructed sheet is no inline style: a strict style-src CSP does not block it
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (_) {
      const style = add(root, 'style');
      if (nonce) style.nonce = nonce;
      style.textContent = CSS;
    }
    const box = add(root, 'div', 'box');
    box.setAttribute('role', 'alertdialog');
    const header = add(box, 'header');
    titleEl = add(header, 'h1');
    kindEl = add(header, 'span', 'kind');
    const close = add(header, 'button');
    close.textContent = '\u00d7';
    close.title = 'Dismiss';
    close.addEventListener('click', () => { dismissed = shown; hideOverlay(); });
    preEl = add(box, 'pre');
  }

  function add(parent, tag, cls) {
    const node = parent.appendChild(document.createElement(tag));
    if (cls) node.className = cls;
    return node;
  }

  function showOverlay(err) {
    if (!host) build();
    shown = JSON.stringify(err);
    titleEl.textContent = String(err.title || 'Error');
    kindEl.textContent = String(err.kind || '');
    preEl.textContent = '';
    render(preEl, String(err.text || ''));
    if (!host.isConnected) (document.body || document.documentElement).appendChild(host);
  }

  function hideOverlay() {
    if (host) host.remove();
    shown = null;
  }

  // CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and any other ESC + one character.
  const ESCAPES = /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
  // A compiler location at the start of a line: path/file.ext:LINE: or path/file.ext:LINE:COL:
  const LOCATION = /^([ \t]*)((?:[A-Za-z]:)?[^\s:]*[^\s:/\\]\.[A-Za-z0-9+]+:\d+(?::\d+)?:)/gm;

  // Text into runs of {text, fg, bold}: SGR colours and bold are kept, every other escape dropped.
  function parseAnsi(text) {
    const runs = [];
    let fg = null, bold = false, last = 0, m;
    const push = (s) => { if (s) runs.push({ text: s, fg: fg, bold: bold }); };
    ESCAPES.lastIndex = 0;
    while ((m = ESCAPES.exec(text))) {
      push(text.slice(last, m.index));
      last = ESCAPES.lastIndex;
      if (m[2] !== 'm' || /[^0-9;]/.test(m[1])) continue;
      const p = m[1] === '' ? [0] : m[1].split(';').map(Number);
      for (let i = 0; i < p.length; i++) {
        const c = p[i];
        if (c === 0) { fg = null; bold = false; }
        else if (c === 1) bold = true;
        else if (c === 22) bold = false;
        else if (c >= 30 && c <= 37) fg = c - 30;
        else if (c >= 90 && c <= 97) fg = c - 82;
        else if (c === 39) fg = null;
        else if (c === 38 || c === 48 || c === 58) i += p[i + 1] === 5 ? 2 : p[i + 1] === 2 ? 4 : 1; // 256/rgb: skip
      }
    }
    push(text.slice(last));
    return runs;
  }

  // Locations are found in the plain text (compilers colour them, so escapes split them), then the
  // runs are cut at their edges. Everything goes in as text nodes: the output is never parsed as HTML.
  function render(pre, text) {
    const runs = parseAnsi(text.replace(/\r\n?/g, '\n'));
    const plain = runs.map((r) => r.text).join('');
    const marks = [];
    let m;
    LOCATION.lastIndex = 0;
    while ((m = LOCATION.exec(plain))) marks.push([m.index + m[1].length, m.index + m[0].length]);
    let pos = 0, k = 0;
    runs.forEach((run) => {
      const start = pos, end = pos + run.text.length;
      while (pos < end) {
        while (k < marks.length && marks[k][1] <= pos) k++;
        const inMark = k < marks.length && marks[k][0] <= pos;
        const stop = Math.min(end, k < marks.length ? marks[k][inMark ? 1 : 0] : end);
        append(pre, run.text.slice(pos - start, stop - start), run, inMark);
        pos = stop;
      }
    });
  }

  function append(pre, text, run, loc) {
    if (run.fg === null && !run.bold && !loc) return pre.appendChild(document.createTextNode(text));
    add(pre, 'span', [run.fg === null ? '' : 'c' + run.fg, run.bold ? 'b' : '', loc ? 'loc' : ''].join(' ').trim())
      .textContent = text;
  }

  // ---- transport ---------------------------------------------------------------------------------

  function parse(s) {
    try { return JSON.parse(s); } catch (_) { return {}; }
  }

  function useWorker() {
    const worker = new SharedWorker('/__hotswap/worker.js', { name: 'hotswap-live-reload' });
    let heard = false;
    port = worker.port;
    port.onmessage = (e) => { const msg = e.data || {}; heard = true; handle(msg.type, msg.data); };
    // The worker script can fail to load (404, a CSP without worker-src), and a tab that attached while
    // it was loading hears no error at all: without a hello soon, fall back to our own stream.
    const fail = (why) => {
      if (port !== worker.port || heard) return;
      console.debug('[hotswap] shared worker ' + why + '; using EventSource');
      port.close();
      port = null;
      useEventSource();
    };
    worker.onerror = () => fail('failed');
    setTimeout(() => fail('silent'), 3000);
    port.start();
    api.transport = 'shared-worker';
  }

  function useEventSource() {
    api.transport = 'event-source';
    const es = source = new EventSource('/__hotswap/events');
    EVENTS.forEach((name) => es.addEventListener(name, (e) => {
      // "error" is also how EventSource reports a lost connection; only a server message has data.
      if (typeof e.data === 'string') return handle(name, parse(e.data));
      // It retries network errors itself but gives up on an HTTP error status; retry those slowly.
      if (es === source && es.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(() => { if (!source && !port) useEventSource(); }, 3000);
      }
    }));
  }

  // Leaving the page: tell the worker (it cannot see a tab go), and close our own stream so the page
  // may enter the back/forward cache. Back from that cache: connect anew (the worker may have ended
  // meanwhile); the fresh hello reloads the page if it missed a version.
  addEventListener('pagehide', () => {
    if (port) try { port.postMessage({ type: 'bye' }); } catch (_) { /* worker gone */ }
    if (source) { source.close(); source = null; }
  });
  addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    if (port) { port.close(); useWorker(); }
    else if (!source) useEventSource();
  });

  try {
    if (typeof SharedWorker !== 'function') throw new Error('no SharedWorker');
    useWorker();
  } catch (err) {
    console.debug('[hotswap] shared worker unavailable (' + (err && err.message) + '); using EventSource');
    port = null;
    useEventSource();
  }
})();
