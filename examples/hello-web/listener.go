package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// listenFdsStart is the first fd a supervisor passes (systemd's SD_LISTEN_FDS_START).
const listenFdsStart = 3

// passedListeners are the sockets handed over the systemd way (LISTEN_FDS, by hotswap or systemd: fds
// 3, 4, ...), or none when none was passed to this process.
func passedListeners() ([]net.Listener, error) {
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
	var listeners []net.Listener
	for fd := listenFdsStart; fd < listenFdsStart+count; fd++ {
		file := os.NewFile(uintptr(fd), fmt.Sprintf("listener %d", fd))
		// FileListener works on a duplicate; closing the original is close(), never shutdown(), so the
		// socket stays open for the supervisor and the next version that share it.
		ln, err := net.FileListener(file)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("fd %d passed by the supervisor is not a listening socket (%v)", fd, err)
		}
		listeners = append(listeners, ln)
	}
	return listeners, nil
}

// listen takes the passed sockets, else listens on 127.0.0.1:$PORT (8082 when PORT is unset).
func listen() ([]net.Listener, string, error) {
	listeners, err := passedListeners()
	if err != nil {
		return nil, "", err
	}
	if len(listeners) == 1 {
		return listeners, fmt.Sprintf("fd %d passed by the supervisor", listenFdsStart), nil
	}
	if len(listeners) > 1 {
		return listeners, fmt.Sprintf("fds %d-%d passed by the supervisor", listenFdsStart, listenFdsStart+len(listeners)-1), nil
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8082"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return nil, "", fmt.Errorf("cannot listen on 127.0.0.1:%s (%v); set PORT to a free port", port, err)
	}
	return []net.Listener{ln}, ln.Addr().String(), nil
}
