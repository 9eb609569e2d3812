#!/usr/bin/env python3
"""A headless Chromium for the end-to-end tests, driven over the DevTools protocol; standard library only.

Chromium's --remote-debugging-pipe speaks the protocol on the browser's fds 3 (it reads commands) and 4
(it writes answers and events), one JSON message per NUL-terminated record: no websocket, no port.

From a Python test script in tests/e2e/:
    sys.path.insert(0, os.path.dirname(__file__) + '/lib')
    import browser
    with browser.Browser() as b:
        tab = b.new_tab('http://127.0.0.1:8080/')
        tab.wait('document.title == "ready"', 10)
        n = tab.navigations()          # main-frame navigations so far, reloads included
From bash:
    python3 "$HOTSWAP_SOURCE_DIR/tests/e2e/lib/browser.py" check URL EXPR [--timeout S]
prints EXPR's value once it is truthy and exits 0; exits 1 with a one-line reason otherwise.

The browser dies with the process that started it, also on SIGKILL (a CTest timeout): PR_SET_PDEATHSIG
fires when the *thread* that started the child ends, so create Browser on the main thread. The profile
goes to a temporary folder ($TMPDIR, so a test can point it at its own work folder).
"""
import argparse, atexit, contextlib, ctypes, fcntl, json, os, shutil, signal, subprocess, sys, tempfile
import threading, time

FLAGS = ['--headless=new', '--remote-debugging-pipe',
         '--no-sandbox',             # the tests run as root, where Chromium's sandbox refuses to start
         '--disable-gpu', '--disable-dev-shm-usage',  # no GPU; containers often have a tiny /dev/shm
         '--no-first-run', '--no-default-browser-check', '--disable-extensions',
         '--disable-background-networking', '--disable-component-update']  # no traffic of its own


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, timeout=20, binary='chromium'):
        if not shutil.which(binary):
            raise BrowserError('no %s: scripts/install-deps.sh --test installs it' % binary)
        self.timeout = timeout            # for each command, and the default of Tab.wait
        self.profile = tempfile.mkdtemp(prefix='hotswap-browser.')
        self._lock, self._write_lock = threading.Lock(), threading.Lock()
        self._next_id, self._pending = 0, {}  # command id -> [threading.Event, answer]
        self._events, self._navigations = {}, {}  # sessionId -> [(method, params)], main-frame count
        self._dead, self._closed = None, False    # _dead: why the pipe closed, once it has
        to_child, self._cmd = os.pipe()   # the browser reads commands on its fd 3 ...
        self._out, from_child = os.pipe()  # ... and writes to its fd 4
        # With these four pipe ends open, fds 3 and 4 are taken in this process, so subprocess's own
        # error pipe is neither of them and the child may overwrite its 3 and 4.
        prctl, parent = ctypes.CDLL(None, use_errno=True).prctl, os.getpid()

        def in_child():  # runs in the forked child, before exec
            prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG: die with the parent
            if os.getppid() != parent:    # the parent died before prctl: nothing would tell us
                os._exit(1)
            r = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10)  # both ends clear of 3 and 4 first, so that
            w = fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)  # one dup2 cannot overwrite the other
            os.dup2(r, 3)
            os.dup2(w, 4)

        self._log = open(os.path.join(self.profile, 'chromium.log'), 'wb')  # its chatter, for errors
        self.proc = subprocess.Popen([binary, *FLAGS, '--user-data-dir=' + self.profile, 'about:blank'],
                                     stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                     pass_fds=(3, 4), preexec_fn=in_child, start_new_session=True)
        os.close(to_child)
        os.close(from_child)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        atexit.register(self.close)
        try:
            self.version = self.send('Browser.getVersion')['product']  # answers once it is up
        except BaseException:
            self.close()
            raise

    def _read(self):  # the reader thread: answers go to their waiting command, events to their session
        buf = b''
        while chunk := os.read(self._out, 1 << 16):
            *records, buf = (buf + chunk).split(b'\0')
            for msg in map(json.loads, records):
                with self._lock:
                    if 'id' in msg:
                        if msg['id'] in self._pending:
                            self._pending[msg['id']][1] = msg
                            self._pending[msg['id']][0].set()
                        continue
                    sid = msg.get('sessionId', '')
                    self._events.setdefault(sid, []).append((msg['method'], msg.get('params', {})))
                    if msg['method'] == 'Page.frameNavigated' and 'parentId' not in msg['params']['frame']:
                        self._navigations[sid] = self._navigations.get(sid, 0) + 1
        tail = []  # the browser is gone: fail every waiting command now, not on its timeout
        with contextlib.suppress(OSError), open(self._log.name, 'rb') as f:
            tail = f.read().decode(errors='replace').strip().splitlines()[-3:]
        with self._lock:
            self._dead = 'the browser closed its pipe (exit %s)%s' % (
                self.proc.poll(), ''.join('\n  chromium: ' + line for line in tail))
            for waiter in self._pending.values():
                waiter[0].set()

    def send(self, method, params=None, session=None, timeout=None):
        """Sends one command and returns its result; raises BrowserError on an error or a timeout."""
        timeout = timeout or self.timeout
        with self._lock:
            if self._dead:
                raise BrowserError('%s: %s' % (method, self._dead))
            self._next_id += 1
            cid, waiter = self._next_id, [threading.Event(), None]
            self._pending[cid] = waiter
        msg = {'id': cid, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        data = json.dumps(msg).encode() + b'\0'
        try:
            with self._write_lock:  # whole records only, also from several threads
                while data:
                    data = data[os.write(self._cmd, data):]
            if not waiter[0].wait(timeout):
                raise BrowserError('%s: no answer within %ss' % (method, timeout))
        except OSError as e:  # EPIPE: it has exited; the reader soon tells why
            self._reader.join(2)
            raise BrowserError('%s: %s' % (method, self._dead or e)) from None
        finally:
            with self._lock:
                self._pending.pop(cid, None)
        if waiter[1] is None:
            raise BrowserError('%s: %s' % (method, self._dead))
        if 'error' in waiter[1]:
            raise BrowserError('%s: %s' % (method, waiter[1]['error'].get('message')))
        return waiter[1].get('result', {})

    def new_tab(self, url):
        # The tab starts on about:blank and navigates only once Page is enabled, so that its first
        # navigation is seen too: a tab that loaded URL has navigations() == 1.
        target = self.send('Target.createTarget', {'url': 'about:blank'})['targetId']
        tab = Tab(self, target, self.send('Target.attachToTarget',
                                          {'targetId': target, 'flatten': True})['sessionId'])
        tab.send('Page.enable')
        tab.send('Runtime.enable')
        error = tab.send('Page.navigate', {'url': url}).get('errorText')  # e.g. net::ERR_CONNECTION_REFUSED
        if error:
            raise BrowserError('%s: %s' % (url, error))
        return tab

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self.proc.poll() is None:
            with contextlib.suppress(BrowserError):  # it may close the pipe before it answers
                self.send('Browser.close', timeout=5)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        with contextlib.suppress(OSError):  # what is left of its process group (its own session)
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(5)  # it ends on the pipe's EOF; only then may its fd be closed
        for fd in (self._cmd, self._out):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Tab:
    def __init__(self, browser, target, session):
        self.browser, self.target, self.session = browser, target, session

    def send(self, method, params=None, timeout=None):
        return self.browser.send(method, params, self.session, timeout)

    def eval(self, expr, timeout=None):
        """EXPR's value in the page (a promise is awaited); raises BrowserError if it throws."""
        return self._evaluate(expr, timeout).get('value')

    def _evaluate(self, expr, timeout=None):  # the result as a RemoteObject (type, value, ...)
        r = self.send('Runtime.evaluate', {'expression': expr, 'returnByValue': True, 'awaitPromise': True},
                      timeout)
        if 'exceptionDetails' in r:
            d = r['exceptionDetails']
            raise BrowserError('%s: %s' % (expr, d.get('exception', {}).get('description') or d.get('text')))
        return r['result']

    @staticmethod
    def _truthy(r):  # JavaScript's truthiness: a DOM node comes back as {}, and [] is true, NaN false
        if 'unserializableValue' in r:
            return r['unserializableValue'] not in ('NaN', '-0', '0n')
        if r['type'] in ('boolean', 'number', 'string'):
            return bool(r['value'])
        return r['type'] != 'undefined' and r.get('subtype') != 'null'

    def wait(self, expr, timeout=None):
        """Polls EXPR every 50 ms until it is truthy, as JavaScript judges, and returns its value. An
        error counts as not yet (the page may be between two documents); on timeout raises with the last
        value or error."""
        timeout = timeout or self.browser.timeout
        deadline, last = time.monotonic() + timeout, None
        while True:
            try:
                r = self._evaluate(expr, max(deadline - time.monotonic(), 1))
                last = r.get('value', r.get('unserializableValue', r['type']))
                if self._truthy(r):
                    return r.get('value')
            except BrowserError as e:
                if self.browser._dead:
                    raise
                last = 'error: ' + str(e).splitlines()[0]
            if time.monotonic() >= deadline:
                raise BrowserError('timed out after %ss waiting for %s (last: %r)' % (timeout, expr, last))
            time.sleep(0.05)

    def navigations(self):
        """Main-frame navigations since the tab was opened: 1 after its first load, +1 per reload or
        new document. A stylesheet swapped in place (live CSS) or a same-document change adds none."""
        with self.browser._lock:
            return self.browser._navigations.get(self.session, 0)

    reloads = navigations  # the same count: a reload is a main-frame navigation

    def events(self, method=None):
        """This tab's protocol events so far, as (method, params), e.g. of 'Runtime.consoleAPICalled'."""
        with self.browser._lock:
            return [e for e in self.browser._events.get(self.session, []) if method in (None, e[0])]


def main():
    p = argparse.ArgumentParser(description='Open URL in headless Chromium and wait until EXPR is truthy.')
    check = p.add_subparsers(dest='cmd', required=True).add_parser(
        'check', help="print EXPR's value once it is truthy; exit 1 with the reason if it is not in time")
    check.add_argument('url')
    check.add_argument('expr')
    check.add_argument('--timeout', type=float, default=20, help='seconds for EXPR (default 20)')
    a = p.parse_args()
    try:
        with Browser() as b:  # --timeout is for EXPR only: the browser's start keeps its own
            value = b.new_tab(a.url).wait(a.expr, a.timeout)
    except BrowserError as e:
        print('browser: %s' % str(e).splitlines()[0], file=sys.stderr)
        return 1
    print(value if isinstance(value, str) else json.dumps(value))
    return 0


if __name__ == '__main__':
    sys.exit(main())
