package main

import (
	"log/slog"
	"net"
	"os"
)

// sdNotify sends state to systemd's notification socket ($NOTIFY_SOCKET)
// when the service runs with Type=notify (deploy/atelier.service): READY=1
// once the server takes traffic, so "systemctl start" returns only then
// (after the migrations), and STOPPING=1 when it drains. Without the
// variable it does nothing. The protocol is one datagram on a Unix socket
// (sd_notify(3)); a name starting with "@" is in the abstract namespace.
func sdNotify(logger *slog.Logger, state string) {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return
	}
	if name[0] == '@' {
		name = "\x00" + name[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		logger.Warn("telling systemd the service state", "err", err)
		return
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		logger.Warn("telling systemd the service state", "err", err)
	}
}
