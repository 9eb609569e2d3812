#!/usr/bin/env python3
"""The checks of front_live_reload_injection.sh: python3 -B injection_check.py FRONT_PORT APP_PORT EXPECTED_LOG.

Each request goes to the front (all through one keep-alive connection) and, with the headers the front
passes on, straight to the app (tests/fixtures/injection_app.py); the two answers are compared. A page the
front must rewrite holds the live reload tag once, where it belongs, and is otherwise the app's bytes; any
other answer is the app's, byte for byte. Prints one `ok:` line per group; exits 1 with `FAIL: ...` at the
first difference. Writes to EXPECTED_LOG the line the app must have logged for each request the front
forwarded (`request GET /page?via=front-N accept-encoding=-`), and ends with GET /page?via=last straight
to the app, so that the test knows when the app's log is complete.
"""
import http.client
import json
import re
import socket
import sys

FRONT_PORT, APP_PORT, EXPECTED_LOG = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
TIMEOUT = 10

NAVIGATION = [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"), ("Accept-Encoding", "gzip, deflate"),
              ("Sec-Fetch-Dest", "document"), ("Sec-Fetch-Mode", "navigate")]
TAG = '<script src="/__hotswap/live.js" data-hotswap-generation="1"></script>'
TAG_START = '<script src="/__hotswap/live.js"'


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def header(headers, name):
    return next((v for n, v in headers if n.lower() == name.lower()), None)


def without(headers, *names):
    return [(n, v) for n, v in headers if n.lower() not in {x.lower() for x in names}]


def wants_injection(method, headers):
    """The front's rule for the requests whose pages get the tag (src/front/html_injection.cpp)."""
    if method != "GET" or any(header(headers, n) is not None for n in ("Range", "HX-Request", "Turbo-Frame")):
        return False
    dest = header(headers, "Sec-Fetch-Dest")
    if dest is not None and dest.lower() not in ("document", "iframe"):
        return False
    accept = header(headers, "Accept")
    return accept is not None and "text/html" in accept.lower()


def inject(html, tag):
    """Where the tag goes: before the last </body, else the last </html, else at the end."""
    lower = html.lower()
    at = lower.rfind(b"</body")
    if at < 0:
        at = lower.rfind(b"</html")
    if at < 0:
        at = len(html)
    return html[:at] + tag.encode() + html[at:]


class Answer:
    def __init__(self, response, body):
        self.status = response.status
        self.headers = response.getheaders()
        self.body = body
        self.will_close = response.will_close

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def one(self, name):
        values = self.all(name)
        if len(values) > 1:
            fail(f"{len(values)} {name} fields: {values}")
        return values[0] if values else None


def send(conn, method, target, headers):
    # http.client adds `Accept-Encoding: identity` to a request without one: not here, the request is
    # sent with exactly these headers (and Host).
    conn.putrequest(method, target, skip_accept_encoding=True)
    for name, value in headers:
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    return Answer(response, response.read())


FRONT = http.client.HTTPConnection("127.0.0.1", FRONT_PORT, timeout=TIMEOUT)
FRONT.connect()
FRONT.auto_open = 0  # a closed connection fails the next request instead of opening a new one
FRONT_ADDRESS = FRONT.sock.getsockname()
expected_log = []
served = 0


def via_front(method, path, headers, what):
    """A request through the one keep-alive connection to the front; it must stay open after it."""
    global served
    served += 1
    target = f"{path}?via=front-{served}"
    if FRONT.sock is None or FRONT.sock.getsockname() != FRONT_ADDRESS:
        fail(f"{what}: the connection to the front was not kept open")
    try:
        answer = send(FRONT, method, target, headers)
    except (http.client.HTTPException, OSError) as e:
        fail(f"{what}: request {served} on the kept-alive connection to the front failed "
             f"({type(e).__name__}: {e}): the framing of an earlier answer is off")
    if answer.will_close:
        fail(f"{what}: the front closes the connection after it: {answer.headers}")
    if not path.startswith("/__hotswap/"):
        encoding = None if wants_injection(method, headers) else header(headers, "Accept-Encoding")
        expected_log.append(f"request {method} {target} accept-encoding={encoding if encoding is not None else '-'}")
    return answer


def direct(method, path, headers):
    """The same request straight to the app, as the front passes it on (no Accept-Encoding for a page the
    front rewrites)."""
    if wants_injection(method, headers):
        headers = without(headers, "Accept-Encoding")
    conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=TIMEOUT)
    try:
        return send(conn, method, f"{path}?via=direct", headers)
    finally:
        conn.close()


def media_type(value):
    return (value or "").split(";")[0].strip().lower()


def check_injected(path, headers, what, nonce=None):
    front = via_front("GET", path, headers, what)
    app = direct("GET", path, headers)
    tag = TAG if nonce is None else TAG[:-len("></script>")] + f' nonce="{nonce}"></script>'
    if app.status != 200 or media_type(app.one("Content-Type")) != "text/html":
        fail(f"{what}: the app itself answered {app.status} {app.one('Content-Type')}: the fixture is off")
    if header(app.headers, "Content-Encoding") is not None:
        fail(f"{what}: the app answered the request the front passes on with {app.one('Content-Encoding')}")
    if front.status != app.status:
        fail(f"{what}: status {front.status} through the front, {app.status} from the app")
    if front.one("Content-Type") != app.one("Content-Type"):
        fail(f"{what}: Content-Type {front.one('Content-Type')!r} through the front, {app.one('Content-Type')!r} from the app")
    text = front.body.decode("utf-8", "replace")
    if text.count(TAG_START) != 1:
        fail(f"{what}: the live reload script appears {text.count(TAG_START)} times, expected once: {front.body!r}")
    if text.count(tag) != 1:
        fail(f"{what}: the tag is not {tag!r}: {front.body!r}")
    expected = inject(app.body, tag)
    if front.body != expected:
        fail(f"{what}: the page through the front is not the app's with the tag before its last </body>"
             f" (else </html>, else the end):\n  front:    {front.body!r}\n  expected: {expected!r}")
    if front.body.replace(tag.encode(), b"", 1) != app.body:
        fail(f"{what}: without the tag, the page is not the app's byte for byte")
    if front.one("Content-Length") != str(len(front.body)):
        fail(f"{what}: Content-Length {front.one('Content-Length')} for a body of {len(front.body)} bytes")
    if front.all("Transfer-Encoding"):
        fail(f"{what}: an injected page with Transfer-Encoding {front.all('Transfer-Encoding')}")
    if front.all("Cache-Control") != ["no-store"]:
        fail(f"{what}: Cache-Control {front.all('Cache-Control')} on an injected page, expected only no-store")
    for name in ("ETag", "Last-Modified"):
        if front.all(name):
            fail(f"{what}: an injected page keeps {name} {front.all(name)}")
    for name in ("Content-Security-Policy", "Vary"):
        if front.all(name) != app.all(name):
            fail(f"{what}: {name} {front.all(name)} through the front, {app.all(name)} from the app")
    return front


def check_untouched(method, path, headers, what):
    front = via_front(method, path, headers, what)
    app = direct(method, path, headers)
    if front.status != app.status:
        fail(f"{what}: status {front.status} through the front, {app.status} from the app")
    for name in ("Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "ETag",
                 "Last-Modified", "Cache-Control"):
        if front.all(name) != app.all(name):
            fail(f"{what}: {name} {front.all(name)} through the front, {app.all(name)} from the app")
    if front.body != app.body:
        fail(f"{what}: the body through the front differs from the app's:\n  front: {front.body!r}\n  app:   {app.body!r}")
    if TAG_START.encode() in front.body:
        fail(f"{what}: the live reload script was injected: {front.body!r}")
    if front.all("Transfer-Encoding"):
        fail(f"{what}: Transfer-Encoding {front.all('Transfer-Encoding')} on an answer of known length")
    return front, app


# 1. The pages a browser navigates to get the tag, once, in the right place.
check_injected("/page", NAVIGATION, "GET /page (</body> in the text and at the end)")
check_injected("/upper", NAVIGATION, "GET /upper (</BODY></HTML>)")
check_injected("/no-body-tag", NAVIGATION, "GET /no-body-tag (no </body>, no </html>)")
check_injected("/csp", NAVIGATION, "GET /csp (script-src nonce)", nonce="abc123")
check_injected("/etag", NAVIGATION, "GET /etag (no If-None-Match)")
check_injected("/page", without(NAVIGATION, "Sec-Fetch-Dest", "Sec-Fetch-Mode"), "GET /page (no Sec-Fetch-Dest)")
check_injected("/page", without(NAVIGATION, "Sec-Fetch-Dest") + [("Sec-Fetch-Dest", "iframe")], "GET /page (Sec-Fetch-Dest: iframe)")
print("ok: injected once before the last </body> (else </html>, else the end), nonce from the CSP; "
      "the rest byte for byte, Content-Length right, Cache-Control: no-store, no ETag or Last-Modified")

# 2. A page the front rewrites is asked for uncompressed; the rest keeps its Accept-Encoding.
conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=TIMEOUT)
asked = send(conn, "GET", "/gzip?via=direct", [("Accept", "text/html"), ("Accept-Encoding", "gzip, deflate")])
conn.close()
if asked.one("Content-Encoding") != "gzip":
    fail(f"the app answers GET /gzip with Accept-Encoding: gzip uncompressed: the fixture is off: {asked.headers}")
check_injected("/gzip", NAVIGATION, "GET /gzip (gzip when asked for)")
echo = via_front("GET", "/echo-headers", NAVIGATION, "GET /echo-headers (navigation)")
seen = [line.split(":", 1)[0].lower() for line in echo.body.decode().splitlines()]
if echo.status != 200 or "accept" not in seen:
    fail(f"GET /echo-headers through the front: {echo.status} {echo.body!r}")
if "accept-encoding" in seen:
    fail(f"a navigation reached the app with an Accept-Encoding: {echo.body!r}")
curl_like = [("Accept", "*/*"), ("Accept-Encoding", "gzip, deflate")]
echo = via_front("GET", "/echo-headers", curl_like, "GET /echo-headers (Accept: */*)")
if "Accept-Encoding: gzip, deflate" not in echo.body.decode().splitlines():
    fail(f"a request that is not a navigation lost its Accept-Encoding on the way to the app: {echo.body!r}")
print("ok: a navigation reaches the app without Accept-Encoding (GET /gzip answered in identity, injected); "
      "other requests keep theirs")

# 3. Everything else is the app's answer, byte for byte.
front, _ = check_untouched("GET", "/json", NAVIGATION, "GET /json")
if front.status != 200 or front.one("Content-Type") != "application/json":
    fail(f"GET /json: {front.status} {front.one('Content-Type')}")
front, _ = check_untouched("GET", "/etag", NAVIGATION + [("If-None-Match", '"v1"')], 'GET /etag (If-None-Match: "v1")')
if front.status != 304 or front.body or front.one("ETag") != '"v1"':
    fail(f"GET /etag with If-None-Match: {front.status} {front.headers} {front.body!r}")
front, app = check_untouched("HEAD", "/page", NAVIGATION, "HEAD /page")
if front.body or app.one("Content-Length") in (None, "0"):
    fail(f"HEAD /page: body {front.body!r}, the app's Content-Length {app.one('Content-Length')}")
front, _ = check_untouched("GET", "/gzip-always", NAVIGATION, "GET /gzip-always (gzip not asked for)")
if front.one("Content-Encoding") != "gzip" or not front.body.startswith(b"\x1f\x8b"):
    fail(f"GET /gzip-always: not the gzip bytes: {front.headers}")
check_untouched("GET", "/download", NAVIGATION, "GET /download (attachment)")
check_untouched("GET", "/fragment", NAVIGATION + [("HX-Request", "true")], "GET /fragment (HX-Request)")
check_untouched("GET", "/page", NAVIGATION + [("Turbo-Frame", "main")], "GET /page (Turbo-Frame)")
check_untouched("GET", "/page", NAVIGATION + [("Range", "bytes=0-10")], "GET /page (Range)")
check_untouched("GET", "/page", curl_like, "GET /page (Accept: */*)")
check_untouched("GET", "/page", without(NAVIGATION, "Sec-Fetch-Dest") + [("Sec-Fetch-Dest", "script")],
                "GET /page (Sec-Fetch-Dest: script)")
front, _ = check_untouched("GET", "/nocontent", NAVIGATION, "GET /nocontent (204)")
if front.status != 204:
    fail(f"GET /nocontent: {front.status}")
print("ok: byte for byte as the app sent them: JSON, a 304, HEAD, a gzip page, an attachment, an HX-Request "
      "fragment, a Turbo-Frame, a Range, Accept: */*, Sec-Fetch-Dest: script, a 204")

# 4. The front's own paths, on the same connection.
for name in ("live.js", "worker.js"):
    answer = via_front("GET", f"/__hotswap/{name}", NAVIGATION, f"GET /__hotswap/{name}")
    if answer.status != 200 or media_type(answer.one("Content-Type")) != "text/javascript" or not answer.body:
        fail(f"GET /__hotswap/{name}: {answer.status} {answer.one('Content-Type')}, {len(answer.body)} bytes")
    if answer.one("Content-Length") != str(len(answer.body)):
        fail(f"GET /__hotswap/{name}: Content-Length {answer.one('Content-Length')} for {len(answer.body)} bytes")
answer = via_front("GET", "/__hotswap/nope", NAVIGATION, "GET /__hotswap/nope")
if answer.status != 404:
    fail(f"GET /__hotswap/nope: {answer.status}, expected 404")
check_injected("/page", NAVIGATION, "GET /page after the front's own answers")
print(f"ok: {served} requests through one keep-alive connection to the front; /__hotswap/live.js and worker.js "
      f"200 text/javascript, /__hotswap/nope 404")

# 5. The event stream: its own connection (it outlives HTTP), hello first.
with socket.create_connection(("127.0.0.1", FRONT_PORT), timeout=5) as s:
    s.sendall(b"GET /__hotswap/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    data = b""
    try:
        while not re.search(rb"\r\n\r\n(.*\n)?data: [^\n]*\n\n", data, re.S):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        fail(f"GET /__hotswap/events: no hello event within 5 s, got {data!r}")
head, _, stream = data.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
if not lines[0].startswith("HTTP/1.1 200 "):
    fail(f"GET /__hotswap/events: {lines[0]!r}")
fields = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
if media_type(fields.get("content-type")) != "text/event-stream":
    fail(f"GET /__hotswap/events: Content-Type {fields.get('content-type')!r}")
events = [block for block in stream.decode().split("\n\n") if "data:" in block]
if not events:
    fail(f"GET /__hotswap/events: no event in {stream!r}")
first = dict(line.split(": ", 1) for line in events[0].split("\n") if ": " in line)
if first.get("event") != "hello" or json.loads(first.get("data", "null")) != {"error": None, "generation": 1}:
    fail(f"GET /__hotswap/events: the first event is not hello of generation 1: {events[0]!r}")
print(f"ok: /__hotswap/events: 200 text/event-stream, first event hello {first['data']}")

FRONT.close()
with open(EXPECTED_LOG, "w") as f:
    f.write("".join(line + "\n" for line in expected_log))
conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=TIMEOUT)
send(conn, "GET", "/page?via=last", [("Accept", "*/*")])
conn.close()
