package main

// Edit this while hotswap runs: save, and the new build takes over behind the HTTP front; the page's
// WebSocket reconnects to it. Break it (a syntax error): the build fails and the running version keeps
// serving.
const version = "v1"
