// hello-web: a Go web server for hotswap's HTTP front, standard library only. It serves an HTML page, its
// stylesheet and script from static/ on disk (edit them without a rebuild), a WebSocket echo on /ws and a
// JSON answer on /api/time. It takes its socket the systemd way (or listens on $PORT), says READY=1 when
// it can serve, and shuts down gracefully on SIGTERM, closing its WebSockets so the page reconnects to the
// next version.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// After the stop signal, keep-alive clients get this long to send their next request, which is answered
// with "Connection: close"; only then are the connections still idle closed. Closing an idle connection
// at once could close it under a request already on its way. Generous, so that a client descheduled for
// a moment on a busy machine still makes it.
const drainGrace = time.Second

// Whatever is still running this long after the stop signal is cut off.
const shutdownTimeout = 10 * time.Second

func main() {
	log.SetFlags(0)
	log.SetPrefix("hello-web: ")
	listeners, origin, err := listen()
	if err != nil {
		log.Fatal(err)
	}

	// Catch the stop signals before the first request can be answered, so a stop is always graceful.
	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()

	var stopping atomic.Bool
	sockets := &webSockets{conns: map[*wsConn]struct{}{}}
	server := &http.Server{Handler: closingWhenStopping(&stopping, routes(sockets)), ReadHeaderTimeout: 10 * time.Second}
	// Shutdown neither tracks nor closes hijacked connections: close the WebSockets once it starts.
	server.RegisterOnShutdown(sockets.closeAll)
	log.Printf("%s serving on %s (pid %d)", version, origin, os.Getpid())
	served := make(chan error, len(listeners))
	for _, ln := range listeners {
		go func(ln net.Listener) { served <- server.Serve(ln) }(ln)
	}
	if err := notify("READY=1\nSTATUS=hello-web " + version + " serving"); err != nil {
		log.Printf("cannot report readiness: %v", err)
	}

	select {
	case err := <-served:
		log.Fatalf("serving stopped: %v", err)
	case <-stop.Done():
	}

	// Stop accepting (the next version takes the queued connections), answer what is in flight, then
	// close the idle connections and the WebSockets, and exit 0.
	_ = notify("STOPPING=1")
	stopping.Store(true)
	for _, ln := range listeners {
		_ = ln.Close()
	}
	time.Sleep(drainGrace)
	ctx, done := context.WithTimeout(context.Background(), shutdownTimeout)
	defer done()
	err = server.Shutdown(ctx)
	sockets.wait(ctx) // their close frames are out before the process exits
	if err != nil {
		log.Printf("%s stopped with connections still open: %v", version, err)
		return
	}
	log.Printf("%s stopped", version)
}

func routes(sockets *webSockets) http.Handler {
	mux := http.NewServeMux()
	home := page()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", strconv.Itoa(len(home)))
		fmt.Fprint(w, home)
	})
	// Read from disk at each request: an edit to static/ shows without a rebuild.
	mux.Handle("/static/", fresh(http.StripPrefix("/static/", http.FileServer(http.Dir("static")))))
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) { serveWebSocket(w, r, sockets) })
	mux.HandleFunc("/api/time", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			Version string `json:"version"`
			Time    string `json:"time"`
		}{version, time.Now().UTC().Format(time.RFC3339Nano)})
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

// page is the HTML of GET /: no inline script or style, so a strict Content-Security-Policy allows it.
// The filler makes it long enough to scroll.
func page() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hello-web</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
`)
	fmt.Fprintf(&b, "<h1 id=\"version\">hello from hello-web %s</h1>\n", html.EscapeString(version))
	b.WriteString(`<p><label for="name">Your name</label> <input id="name" type="text" autocomplete="off"></p>
<div id="ws" data-connected="0">connecting</div>
`)
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d. Edit version.go and hotswap rebuilds and swaps the server; edit "+
			"static/style.css and the next request reads it from disk. This text is here so the page scrolls.</p>\n", i)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// fresh makes the browser fetch static files again every time, answered in full: an edit within the
// second of the previous one (Last-Modified has whole seconds) must not get a 304.
func fresh(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("If-Modified-Since")
		r.Header.Del("If-None-Match")
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// closingWhenStopping ends each keep-alive connection after its next answer once the server is stopping.
func closingWhenStopping(stopping *atomic.Bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stopping.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
