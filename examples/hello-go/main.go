// hello-go: the smallest useful Go server for hotswap, standard library only. It takes its socket the
// systemd way (or listens on $PORT), says READY=1 when it can serve, answers GET / with its version, and
// shuts down gracefully on SIGTERM so hotswap can swap versions without dropping a request.
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
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
	log.SetPrefix("hello-go: ")
	listeners, origin, err := listen()
	if err != nil {
		log.Fatal(err)
	}

	// Catch the stop signals before the first request can be answered, so a stop is always graceful.
	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()

	var stopping atomic.Bool
	server := &http.Server{Handler: closingWhenStopping(&stopping, routes()), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("%s serving on %s (pid %d)", version, origin, os.Getpid())
	served := make(chan error, len(listeners))
	for _, ln := range listeners {
		go func(ln net.Listener) { served <- server.Serve(ln) }(ln)
	}
	if err := notify("READY=1\nSTATUS=hello-go " + version + " serving"); err != nil {
		log.Printf("cannot report readiness: %v", err)
	}

	select {
	case err := <-served:
		log.Fatalf("serving stopped: %v", err)
	case <-stop.Done():
	}

	// Stop accepting (the next version takes the queued connections), answer what is in flight, then
	// close the idle connections and exit 0.
	_ = notify("STOPPING=1")
	stopping.Store(true)
	for _, ln := range listeners {
		_ = ln.Close()
	}
	time.Sleep(drainGrace)
	ctx, done := context.WithTimeout(context.Background(), shutdownTimeout)
	defer done()
	if err := server.Shutdown(ctx); err != nil {
		log.Printf("%s stopped with connections still open: %v", version, err)
		return
	}
	log.Printf("%s stopped", version)
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "hello from hello-go %s\n", version)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
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
