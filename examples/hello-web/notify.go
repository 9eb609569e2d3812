package main

import (
	"net"
	"os"
)

// notify sends a readiness state ("READY=1", "STATUS=...", "STOPPING=1") as one datagram to
// $NOTIFY_SOCKET, the sd_notify protocol hotswap and systemd both speak. Without NOTIFY_SOCKET nobody is
// listening and nothing is sent.
func notify(state string) error {
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" {
		return nil
	}
	// A leading '@' names an abstract socket; Go's unix addresses on Linux read it the same way.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
