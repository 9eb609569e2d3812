package main

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"time"
)

// wsConn is one WebSocket after the handshake. Its reader and the shutdown both write to it: one frame at
// a time, and nothing after the close frame.
type wsConn struct {
	net.Conn
	mu        sync.Mutex
	closeSent bool
}

// send writes one unmasked server frame (payload under 64 KiB).
func (c *wsConn) send(fin bool, op byte, payload []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return errors.New("websocket close already sent")
	}
	c.closeSent = op == 0x8
	frame := []byte{op, byte(len(payload))}
	if fin {
		frame[0] |= 0x80
	}
	if len(payload) > 125 {
		frame = append(frame[:1], 126, byte(len(payload)>>8), byte(len(payload)))
	}
	_, err := c.Write(append(frame, payload...))
	return err
}

// close sends a close frame with status and gives the peer a second to answer before the reader ends.
func (c *wsConn) close(status uint16) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_ = c.send(true, 0x8, binary.BigEndian.AppendUint16(nil, status))
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
}

// webSockets are the open WebSockets. http.Server.Shutdown does not track hijacked connections, so on a
// stop they are closed here (status 1001, going away), and the page reconnects to the next version.
type webSockets struct {
	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	closed  bool
	running sync.WaitGroup
}

// add registers c, or says false once the server is stopping.
func (s *webSockets) add(c *wsConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.running.Add(1)
	return true
}

func (s *webSockets) remove(c *wsConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.running.Done()
}

// closeAll closes every WebSocket and refuses new ones; calling it again does nothing more.
func (s *webSockets) closeAll() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(1001)
	}
}

// wait closes every WebSocket and waits until their connections have ended, or ctx has.
func (s *webSockets) wait(ctx context.Context) {
	s.closeAll()
	ended := make(chan struct{})
	go func() { s.running.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-ctx.Done():
	}
}
