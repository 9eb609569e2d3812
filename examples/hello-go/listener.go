package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// listenFdsStart is the first fd a supervisor passes (systemd's SD_LISTEN_FDS_START).
const listenFdsStart = 3

// passedListener is the socket handed over the systemd way (LISTEN_FDS, by hotswap or systemd), or nil
// when none was passed to this process.
func passedListener() (net.Listener, error) {
	fds := os.Getenv("LISTEN_FDS")
	if fds == "" {
		return nil, nil
	}
	// LISTEN_PID names the process the sockets are for; another pid means the variables were inherited.
	if pid := os.Getenv("LISTEN_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return nil, nil
	}
	count, err := strconv.Atoi(fds)
	if err != nil || count < 1 {
		return nil, fmt.Errorf("LISTEN_FDS=%q is not a number of sockets; fix the program that started me", fds)
	}
	file := os.NewFile(listenFdsStart, "listener")
	// FileListener works on a duplicate; closing the original is close(), never shutdown(), so the socket
	// stays open for the supervisor and the next version that share it.
	defer file.Close()
	return net.FileListener(file)
}

// listen takes the passed socket, else listens on 127.0.0.1:$PORT (8080 when PORT is unset).
func listen() (net.Listener, string, error) {
	ln, err := passedListener()
	if err != nil {
		return nil, "", err
	}
	if ln != nil {
		return ln, fmt.Sprintf("fd %d passed by the supervisor", listenFdsStart), nil
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return nil, "", fmt.Errorf("cannot listen on 127.0.0.1:%s (%v); set PORT to a free port", port, err)
	}
	return ln, ln.Addr().String(), nil
}
