#!/usr/bin/env python3
"""The browser half of tests/e2e/browser_live_reload.sh: a real headless Chromium on examples/hello-web
through hotswap's front, while this script edits the project as a developer does.

    live_reload_browser.py URL PROJECT_DIR HOTSWAP EVENTS

Each step waits for what the page shows (no sleeps); a failure raises with what was expected.
"""
import json, os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402

url, project, hotswap, events = sys.argv[1:5]
BUILD_WAIT = 90  # a Go build on a loaded two-core machine


def ok(text):
    print('ok: ' + text, flush=True)


def write(path, text):
    with open(os.path.join(project, path), 'w') as f:
        f.write(text)


def set_version(v, broken=False):
    body = 'package main\n\nconst version = "%s"\n' % v
    if broken:
        body += '\nvar broken = \n'  # a syntax error: the build fails, the old version keeps serving
    write('version.go', body)


def set_colour(rgb):
    write('static/style.css', 'h1 { color: %s; }\n#ws { border: 1px solid #ccc; }\n' % rgb)


def event_count(name):
    with open(events) as f:
        return sum(1 for line in f if '"event":"%s"' % name in line)


def live_reload_status():
    out = subprocess.run([hotswap, 'status', '--json'], cwd=project, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)['front']['live_reload']


def shows(v):
    return "(document.getElementById('version') || {}).textContent === 'hello from hello-web %s'" % v


CONNECTED = "document.documentElement.dataset.hotswapConnected === '1'"

with browser.Browser(timeout=30) as b:
    tab = b.new_tab(url)
    tab.wait(CONNECTED, 20)
    tab.wait(shows('v1'), 5)
    if tab.eval('window.__hotswap.generation') != 1:
        raise SystemExit('the page does not know it came from app#1')
    ok('the page loads through the front with the script; its event stream is up')

    # 1. A source edit: the page shows the new version by itself, once that version serves.
    set_version('v2')
    tab.wait(shows('v2'), BUILD_WAIT)
    tab.wait(CONNECTED, 10)
    if tab.navigations() != 2:
        raise SystemExit('expected one reload for v2, saw %d navigations' % tab.navigations())
    ok('edit version.go: the page reloaded once, by itself, to v2')

    # 2. A stylesheet edit: swapped in place, no reload, no build; scroll, form and page state kept.
    builds = event_count('build_start')
    tab.eval("document.getElementById('name').value = 'typed'; window.__marker = 42; window.scrollTo(0, 300)")
    scrolled = tab.eval('window.scrollY')
    set_colour('rgb(255, 0, 0)')
    tab.wait("getComputedStyle(document.getElementById('version')).color === 'rgb(255, 0, 0)'", 20)
    state = tab.eval("[window.__marker, document.getElementById('name').value, window.scrollY]")
    if tab.navigations() != 2 or state != [42, 'typed', scrolled]:
        raise SystemExit('the stylesheet swap reloaded or reset the page: navigations %d, state %r (scrolled %r)'
                         % (tab.navigations(), state, scrolled))
    if event_count('build_start') != builds:
        raise SystemExit('a stylesheet change started a build')
    ok('edit style.css: the colour changed in place (no navigation, no build; scroll %d, form and state kept)'
       % scrolled)

    # 3. A syntax error: the overlay shows the compiler's line; the fix takes it away.
    set_version('v3', broken=True)
    tab.wait("window.__hotswap.overlay() && /version\\.go:\\d+/.test(window.__hotswap.overlayText())", BUILD_WAIT)
    text = tab.eval('window.__hotswap.overlayText()')
    if tab.eval(shows('v2')) is not True:
        raise SystemExit('the page no longer shows v2 under the overlay')
    ok('a syntax error shows the build output in the page: %s' % re.search(r'version\.go:\d+[^\n]*', text).group(0))
    set_version('v3')
    tab.wait(shows('v3'), BUILD_WAIT)
    tab.wait(CONNECTED, 10)
    tab.wait('!window.__hotswap.overlay()', 10)
    ok('the fix: v3 serves, the page reloaded to it and the overlay is gone')

    # 3b. A version that builds but crashes at start: the overlay says so; the page stays on v3.
    write('version.go', 'package main\n\nconst version = "v3b"\n\nfunc init() { panic("no config") }\n')
    tab.wait("window.__hotswap.overlay() && /did not start/.test(window.__hotswap.overlayText())", BUILD_WAIT)
    if tab.eval(shows('v3')) is not True or tab.navigations() != 3:
        raise SystemExit('a crash at start moved the page off v3')
    ok('a crash at start shows in the page (%s); the page stays on v3'
       % tab.eval('window.__hotswap.overlayText()').split('\n')[0])

    # 4. Ten tabs: one event stream for the browser (a SharedWorker), and every tab reloads.
    set_version('v3c')  # builds and serves again: the overlay goes, the page reloads
    tab.wait(shows('v3c'), BUILD_WAIT)
    tab.wait('!window.__hotswap.overlay()', 10)
    tabs = [tab] + [b.new_tab(url) for _ in range(9)]
    for t in tabs:
        t.wait(CONNECTED, 20)
    transports = {t.eval('window.__hotswap.transport') for t in tabs}
    streams = live_reload_status()['streams']
    if transports != {'shared-worker'} or streams != 1:
        raise SystemExit('ten tabs: transports %r, %d event streams at the front (expected one)' % (transports, streams))
    set_version('v4')
    for t in tabs:
        t.wait(shows('v4'), BUILD_WAIT)
    for t in tabs:
        t.wait(CONNECTED, 20)
    streams = live_reload_status()['streams']
    if streams != 1:
        raise SystemExit('after the reload of ten tabs: %d event streams at the front' % streams)
    ok('ten tabs: one event stream at the front (SharedWorker); all ten reloaded to v4')
