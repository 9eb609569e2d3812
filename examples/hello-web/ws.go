package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The GUID RFC 6455 appends to Sec-WebSocket-Key before hashing it into Sec-WebSocket-Accept.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC11B65"

// wsFail is the close status for a frame this endpoint refuses.
type wsFail uint16

func (f wsFail) Error() string { return fmt.Sprintf("websocket closed with status %d", uint16(f)) }

// serveWebSocket answers the RFC 6455 handshake, then echoes text (and binary) frames, answers ping with
// pong and close with close. Payloads up to 65535 bytes (7- and 16-bit lengths); a 64-bit length closes.
func serveWebSocket(w http.ResponseWriter, r *http.Request, sockets *webSockets) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if r.Method != http.MethodGet || key == "" || !hasToken(r.Header, "Connection", "upgrade") || !hasToken(r.Header, "Upgrade", "websocket") {
		http.Error(w, "this is a WebSocket endpoint", http.StatusBadRequest)
		return
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "WebSocket version 13 only", http.StatusUpgradeRequired)
		return
	}
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Time{}) // the server's header timeout no longer applies
	sum := sha1.Sum([]byte(key + wsGUID))
	if _, err := fmt.Fprintf(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: %s\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:])); err != nil {
		return
	}
	c := &wsConn{Conn: conn}
	if !sockets.add(c) { // the server is stopping
		c.close(1001)
		return
	}
	defer sockets.remove(c)
	for {
		fin, op, payload, err := readFrame(rw.Reader)
		switch {
		case err != nil:
			if fail, ok := err.(wsFail); ok {
				c.close(uint16(fail))
			}
			return
		case op <= 0x2: // continuation, text, binary: echoed frame by frame, so fragments stay fragments
			err = c.send(fin, op, payload)
		case op == 0x8: // close: answer with the same status, then end the connection
			if len(payload) == 1 {
				c.close(1002)
				return
			}
			if len(payload) > 2 {
				payload = payload[:2] // the status, without the reason
			}
			_ = c.send(true, 0x8, payload)
			return
		case op == 0x9: // ping
			err = c.send(true, 0xA, payload)
		case op == 0xA: // pong: nothing to do
		default:
			c.close(1002)
			return
		}
		if err != nil {
			return
		}
	}
}

// readFrame reads one client frame and unmasks its payload.
func readFrame(r *bufio.Reader) (fin bool, op byte, payload []byte, err error) {
	var head [2]byte
	if _, err = io.ReadFull(r, head[:]); err != nil {
		return
	}
	fin, op, n := head[0]&0x80 != 0, head[0]&0x0f, int(head[1]&0x7f)
	switch {
	case head[0]&0x70 != 0 || head[1]&0x80 == 0: // reserved bits set, or a client frame not masked
		return fin, op, nil, wsFail(1002)
	case op >= 0x8 && (n > 125 || !fin): // a control frame is short and whole
		return fin, op, nil, wsFail(1002)
	case n == 127: // a 64-bit length: more than this echo takes
		return fin, op, nil, wsFail(1009)
	case n == 126:
		var ext [2]byte
		if _, err = io.ReadFull(r, ext[:]); err != nil {
			return
		}
		n = int(binary.BigEndian.Uint16(ext[:]))
	}
	var mask [4]byte
	if _, err = io.ReadFull(r, mask[:]); err != nil {
		return
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return
}

// hasToken says whether the comma-separated header field name lists token (case-insensitive).
func hasToken(h http.Header, name, token string) bool {
	for _, value := range h.Values(name) {
		for _, t := range strings.Split(value, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
