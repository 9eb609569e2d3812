#!/usr/bin/env python3
"""The browser side of bench/live_reload.sh: saves, then times when a headless Chromium shows the change.

    live_reload.py measure --url URL --project DIR --events FILE --out OUT.json \
        [--cases idle,source,css] [--rounds N] [--tag T] [--debounce LABEL]
    live_reload.py report [--rounds N] [--go VERSION] PASS.json...

measure opens URL in one tab (tests/e2e/lib/browser.py) and runs, against the hotswap already serving
DIR behind the front (writing its events to FILE), ROUNDS rounds of each case:
  idle    the page reloads itself with nothing changed (location.reload(), as the live-reload script
          does): navigation start -> DOMContentLoaded end, the browser's own part of a source round.
  source  version.go gets the next version; the page reloads itself (a new document) once the new version
          serves. Visible: the new document's DOMContentLoaded end (performance.timeOrigin + the navigation
          entry's domContentLoadedEventEnd), read from the page. From the events: the round's build_start,
          build_end (duration_ms), ready (ready_ms) and switch of the new generation. The switch event's
          time is stamped when it is written, after the front has told the pages: switch -> reload can
          come out below 0 when hotswap was held up in between.
  css     h1's colour in static/style.css changes; the page swaps the stylesheet in place. Visible: the
          first moment getComputedStyle(#version).color is the new value, seen in the page itself on each
          new <link>'s load event (a MutationObserver on <head>) and on every animation frame, whichever
          comes first. The round fails if the tab navigated or hotswap started a build.
Every time is wall-clock (CLOCK_REALTIME): Python's time.time() at the save, the events' "time" fields,
and the page's performance clock (timeOrigin + now, for what it shows) taken to Date.now()'s.
report prints the figures of one or more measure outputs.
"""
import argparse, datetime, json, os, re, statistics, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'e2e', 'lib'))
import browser  # noqa: E402

GAP = 0.5           # seconds between rounds: the previous version drains, the machine settles
SOURCE_TIMEOUT = 60
CSS_TIMEOUT = 10
TARGET_MS = 50


def fail(msg):
    raise SystemExit('live_reload.py: ' + msg)


def save(path, text):
    """Saves in place, as most editors do by default: open (truncate), write, close; no temp file and
    rename. Returns the wall-clock time right after the close, in ms since the epoch."""
    with open(path, 'w') as f:
        f.write(text)
    return time.time() * 1000


def event_ms(e):
    t = datetime.datetime.strptime(e['time'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() * 1000


def read_events(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                if line.endswith('\n'):  # a line still being written is read next time
                    out.append(json.loads(line))
    except FileNotFoundError:
        pass
    return out


def last_seq(path):
    events = read_events(path)
    return events[-1]['seq'] if events else 0


def wait_event(path, after, pred, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        events = [e for e in read_events(path) if e['seq'] > after]
        if any(pred(e) for e in events):
            return events
        if time.monotonic() > deadline:
            fail('no %s in %s within %s s (events since: %s)' % (
                what, path, timeout, ', '.join(e['event'] for e in events) or 'none'))
        time.sleep(0.02)


# The page's clocks: Date.now() reads the wall clock (CLOCK_REALTIME, as Python's time.time() does);
# performance.timeOrigin + performance.now() is a monotonic clock set to the wall clock once, and the two
# drift apart where the wall clock is being slewed (by several ms a second on some machines). So each
# performance time is taken to the wall clock with the offset measured just after it: the moment
# Date.now() ticks over to the next ms, against performance.now() then.
OFFSET = ("(() => { const t = Date.now(); let d; while ((d = Date.now()) === t);"
          " return d - (performance.timeOrigin + performance.now()); })()")


def clock_offset(tab):
    """What to add to a performance time of the page (timeOrigin + ...) to get wall-clock ms."""
    return statistics.median(tab.eval(OFFSET) for _ in range(3))


LOADED = ("(() => { const n = performance.getEntriesByType('navigation')[0];"
          " return n && n.type === 'reload' && n.domContentLoadedEventEnd > 0 &&"
          " document.documentElement.dataset.hotswapConnected === '1'; })()")


def idle_rounds(tab, events, rounds):
    """The page's own reload, nothing changed: location.reload() from the page, as the live-reload script
    calls it; reload -> DOMContentLoaded end, through the front, with no build and no swap around it."""
    results = []
    for _ in range(rounds):
        before, navs = last_seq(events), tab.navigations()
        generation = tab.eval('window.__hotswap.generation')
        tab.eval('setTimeout(() => location.reload(), 0), 1')
        deadline = time.monotonic() + CSS_TIMEOUT
        while tab.navigations() == navs:
            if time.monotonic() > deadline:
                fail('idle reload: the page did not navigate')
            time.sleep(0.01)
        tab.wait(LOADED, CSS_TIMEOUT)
        page = tab.eval("[performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,"
                        " window.__hotswap.generation]")
        if page[1] != generation or any(e['seq'] > before and e['event'] == 'build_start' for e in read_events(events)):
            fail('idle reload: something was built or another generation serves (%s, was %s)' % (page[1], generation))
        results.append({'load_ms': page[0]})
        time.sleep(GAP)
    return results


def source_rounds(tab, project, events, rounds):
    path = os.path.join(project, 'version.go')
    with open(path) as f:
        template = f.read()
    current = int(re.search(r'const version = "v(\d+)"', template).group(1))
    results = []
    for _ in range(rounds):
        current += 1
        text = re.sub(r'const version = "v\d+"', 'const version = "v%d"' % current, template)
        before, navs = last_seq(events), tab.navigations()
        saved = save(path, text)
        want = 'hello from hello-web v%d' % current
        tab.wait("(() => { const h = document.getElementById('version'),"
                 " n = performance.getEntriesByType('navigation')[0];"
                 " return h && h.textContent === %s && n && n.domContentLoadedEventEnd > 0 &&"
                 " document.documentElement.dataset.hotswapConnected === '1'; })()" % json.dumps(want),
                 SOURCE_TIMEOUT)
        page = tab.eval("(() => { const n = performance.getEntriesByType('navigation')[0],"
                        " p = performance.getEntriesByName('first-contentful-paint')[0];"
                        " return {origin: performance.timeOrigin, dcl: n.domContentLoadedEventEnd, type: n.type,"
                        " fcp: p ? p.startTime : null, generation: window.__hotswap.generation,"
                        " timing: {fetch: n.fetchStart, request: n.requestStart, first_byte: n.responseStart,"
                        " response: n.responseEnd, interactive: n.domInteractive, dcl_start: n.domContentLoadedEventStart},"
                        " resources: performance.getEntriesByType('resource').map((r) =>"
                        " [r.name.replace(location.origin, ''), r.startTime, r.responseEnd])}; })()")
        offset = clock_offset(tab)
        origin = page['origin'] + offset
        gen = page['generation']
        evs = wait_event(events, before, lambda e: e['event'] == 'switch' and e['generation'] == gen,
                         10, 'switch of generation %s' % gen)
        one = lambda kind, **kv: next((e for e in evs if e['event'] == kind and
                                       all(e.get(k) == v for k, v in kv.items())), None)
        builds = [e for e in evs if e['event'] == 'build_start']
        build_end, ready, switch = one('build_end', ok=True), one('ready', generation=gen), one('switch', generation=gen)
        if not builds or not build_end or not ready:
            fail('round v%d: the events lack a build_start, an ok build_end or generation %s\'s ready' % (current, gen))
        if page['type'] != 'reload' or tab.navigations() != navs + 1:
            fail('round v%d: expected one reload of the page, saw %d navigations (last: %s)' % (
                current, tab.navigations() - navs, page['type']))
        visible = origin + page['dcl']
        results.append({
            'version': current, 'generation': gen, 'builds': len(builds),
            'visible_ms': visible - saved,
            'painted_ms': origin + page['fcp'] - saved if page['fcp'] is not None else None,
            'build_ms': build_end['duration_ms'], 'start_ms': ready['ready_ms'],
            'build_start_ms': event_ms(builds[0]) - saved,
            'switch_ms': event_ms(switch) - saved,
            'reload_ms': origin - saved,   # the page called location.reload() about then
            'offset_ms': offset, 'timing': page['timing'], 'resources': page['resources']})
        time.sleep(GAP)
    return results


ARM = r"""(() => {
  const el = document.getElementById('version');
  const b = window.__bench || (window.__bench = {});
  b.want = %s; b.seen = null; b.how = null;
  b.check = (how) => {
    if (b.seen !== null || getComputedStyle(el).color !== b.want) return;
    b.seen = performance.timeOrigin + performance.now();
    b.how = how;
  };
  if (!b.observer) {  // each stylesheet the live-reload script inserts: checked on its load event
    b.observer = new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
      if (n.nodeName === 'LINK') n.addEventListener('load', () => b.check('load'));
    })));
    b.observer.observe(document.head, {childList: true});
  }
  const frame = () => { b.check('frame'); if (b.seen === null) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  return getComputedStyle(el).color;
})()"""


def css_rounds(tab, project, events, rounds, tag):
    path = os.path.join(project, 'static', 'style.css')
    with open(path) as f:
        template = f.read()
    if not re.search(r'^h1 \{ color: [^;]*; \}$', template, re.M):
        fail('no "h1 { color: ...; }" line in %s' % path)
    results = []
    for i in range(1, rounds + 1):
        colour = 'rgb(200, %d, %d)' % (10 * i, 100 * tag)
        before, navs = last_seq(events), tab.navigations()
        old = tab.eval(ARM % json.dumps(colour))
        if old == colour:
            fail('the h1 is already %s' % colour)
        saved = save(path, re.sub(r'^h1 \{ color: [^;]*; \}$', 'h1 { color: %s; }' % colour, template, flags=re.M))
        tab.wait('window.__bench.seen', CSS_TIMEOUT)
        probe = tab.eval("({seen: window.__bench.seen, how: window.__bench.how, sheet: performance.getEntriesByType"
                         "('resource').filter((r) => r.name.includes('hotswap=')).map((r) =>"
                         " [performance.timeOrigin + r.startTime, performance.timeOrigin + r.responseEnd]).pop()})")
        offset = clock_offset(tab)
        time.sleep(GAP)  # a build the change would start late is caught here too
        builds = [e for e in read_events(events) if e['seq'] > before and e['event'] == 'build_start']
        if builds:
            fail('css round %d: the stylesheet-only change started a build: %s' % (i, json.dumps(builds[0])))
        if tab.navigations() != navs:
            fail('css round %d: the page navigated (%d times) instead of swapping the stylesheet' % (
                i, tab.navigations() - navs))
        results.append({'colour': colour, 'visible_ms': probe['seen'] + offset - saved, 'how': probe['how'],
                        'sheet_ms': [t + offset - saved for t in probe['sheet']] if probe['sheet'] else None,
                        'offset_ms': offset})
    return results


def measure(a):
    cases = a.cases.split(',')
    with browser.Browser() as b:
        tab = b.new_tab(a.url)
        tab.wait("document.documentElement.dataset.hotswapConnected === '1'", 20)
        out = {'chromium': b.version, 'transport': tab.eval('window.__hotswap.transport'),
               'debounce': a.debounce}
        if 'idle' in cases:
            out['idle'] = idle_rounds(tab, a.events, a.rounds)
        if 'source' in cases:
            out['source'] = source_rounds(tab, a.project, a.events, a.rounds)
        if 'css' in cases:
            out['css'] = css_rounds(tab, a.project, a.events, a.rounds, a.tag)
    with open(a.out, 'w') as f:
        json.dump(out, f, indent=1)


def med(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else float('nan')


def verdict(value):
    return 'met' if value <= TARGET_MS else 'missed'


def report(a):
    passes = []
    for p in a.passes:
        with open(p) as f:
            passes.append(json.load(f))
    first = passes[0]
    print('live reload: examples/hello-web (Go %s, go build) behind the front, headless %s (its event stream over '
          'a %s), %d CPUs; %d rounds per case, %.1f s pause after each; saves in place (open, write, close)' % (
              a.go.removeprefix('go'), first['chromium'], first['transport'].replace('-', ' '), os.cpu_count(),
              a.rounds, GAP))
    print('the watcher\'s settle window is part of every figure: hotswap\'s adaptive debounce waits 10 ms after a '
          'lone file saved whole (as here), --debounce (50 ms by default) after anything else')
    idle = float('nan')
    for p in passes:
        if 'idle' in p:
            idle = med(p['idle'], 'load_ms')
            print('the page\'s own reload (location.reload(), nothing changed, through the front): reload→DOM %.1f ms '
                  '(median of %d; min %.1f, max %.1f)' % (idle, len(p['idle']), min(r['load_ms'] for r in p['idle']),
                                                        max(r['load_ms'] for r in p['idle'])))
    for p in passes:
        if 'source' not in p:
            continue
        rows = p['source']
        for r in rows:
            r['bs_ms'] = r['build_ms'] + r['start_ms']
            r['overhead_ms'] = r['visible_ms'] - r['bs_ms']
            r['notify_ms'] = r['reload_ms'] - r['switch_ms']
            r['load_ms'] = r['visible_ms'] - r['reload_ms']
        print('source change (version.go: build, new version, the page reloads itself), --debounce %s:' % p['debounce'])
        for r in rows:
            print('  v%-3d save→visible %7.1f ms = build %4d + start %2d + overhead %5.1f  (save→build start %4.1f, '
                  'save→switch %6.1f, switch→reload %5.1f, reload→DOM %5.1f)' % (
                      r['version'], r['visible_ms'], r['build_ms'], r['start_ms'], r['overhead_ms'],
                      r['build_start_ms'], r['switch_ms'], r['notify_ms'], r['load_ms']))
        overhead = med(rows, 'overhead_ms')
        print('  medians of %d: save→visible %.1f ms, build + start %.1f ms (build %.1f, start %.1f), save→switch %.1f '
              'ms, save→first paint %.1f ms' % (
                  len(rows), med(rows, 'visible_ms'), med(rows, 'bs_ms'), med(rows, 'build_ms'), med(rows, 'start_ms'),
                  med(rows, 'switch_ms'), med(rows, 'painted_ms')))
        print('  overhead, save→visible − (build + start): %.1f ms (median of the rounds\'; save→build start %.1f, '
              'switch→reload %.1f, reload→DOM %.1f): target ≤ %d ms: %s' % (
                  overhead, med(rows, 'build_start_ms'), med(rows, 'notify_ms'), med(rows, 'load_ms'), TARGET_MS,
                  verdict(overhead)))
        if idle == idle:
            print('  the overhead less the page\'s own reload (%.1f ms): %.1f ms' % (idle, overhead - idle))
    css = [p for p in passes if 'css' in p]
    if css:
        print('css-only change (static/style.css: no build, no navigation, the page swaps the stylesheet in place):')
    for p in css:
        rows = p['css']
        value = med(rows, 'visible_ms')
        sheets = [r for r in rows if r['sheet_ms']]
        print('  --debounce %s: save→style %.1f ms (median of %d; min %.1f, max %.1f; the new sheet requested %.1f ms '
              'after the save, loaded in %.1f): target ≤ %d ms: %s' % (
                  p['debounce'], value, len(rows), min(r['visible_ms'] for r in rows),
                  max(r['visible_ms'] for r in rows), statistics.median(r['sheet_ms'][0] for r in sheets),
                  statistics.median(r['sheet_ms'][1] - r['sheet_ms'][0] for r in sheets), TARGET_MS, verdict(value)))
        print('    per round (ms): %s' % ' '.join('%.1f' % r['visible_ms'] for r in rows))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    m = sub.add_parser('measure')
    m.add_argument('--url', required=True)
    m.add_argument('--project', required=True)
    m.add_argument('--events', required=True)
    m.add_argument('--out', required=True)
    m.add_argument('--cases', default='idle,source,css')
    m.add_argument('--rounds', type=int, default=10)
    m.add_argument('--tag', type=int, default=0, help='makes this pass\'s colours differ from another\'s')
    m.add_argument('--debounce', default='50 (default)', help='for the report: the --debounce hotswap runs with')
    r = sub.add_parser('report')
    r.add_argument('--rounds', type=int, default=10)
    r.add_argument('--go', default='?')
    r.add_argument('passes', nargs='+')
    a = p.parse_args()
    try:
        measure(a) if a.cmd == 'measure' else report(a)
    except browser.BrowserError as e:
        fail(str(e))


if __name__ == '__main__':
    main()
