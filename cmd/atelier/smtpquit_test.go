package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// quitSink is an SMTP server that counts the messages it accepts and the
// sessions that said QUIT (go-smtp answers QUIT itself and then ends the
// session: Logout; a dropped connection ends it with a read error, which
// the server's ErrorLog hears of instead).
type quitSink struct {
	mu       sync.Mutex
	messages int
	ended    chan struct{} // one value per session that ended after a message
}

type quitSession struct {
	s     *quitSink
	mails int
}

func (qs *quitSession) Reset()                               {}
func (qs *quitSession) Mail(string, *smtp.MailOptions) error { return nil }
func (qs *quitSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (qs *quitSession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	qs.mails++
	qs.s.mu.Lock()
	qs.s.messages++
	qs.s.mu.Unlock()
	return nil
}
func (qs *quitSession) Logout() error {
	if qs.mails > 0 {
		qs.s.ended <- struct{}{}
	}
	return nil
}

// TestServeSaysQuitToSMTP: the mail worker keeps its SMTP connection for
// the next message; when the server stops, it ends that session with QUIT
// rather than leaving it open until the mail server times it out.
func TestServeSaysQuitToSMTP(t *testing.T) {
	sink := &quitSink{ended: make(chan struct{}, 16)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &quitSession{s: sink}, nil }))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port

	s := newTestServer(t, "    host: \"\"\n    # Server port: 587 for starttls, 465 for tls.\n    port: 587",
		fmt.Sprintf("    host: 127.0.0.1\n    port: %d", port),
		"    tls: starttls", "    tls: none")
	s.start()
	s.book(s.freeSlots()[0], "ada@example.com")
	deadline := time.Now().Add(20 * time.Second)
	for {
		sink.mu.Lock()
		n := sink.messages
		sink.mu.Unlock()
		if n >= 2 { // the customer's confirmation and the artisan's notice
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages reached the SMTP server in 20 s, want 2\n%s", n, s.log)
		}
		time.Sleep(10 * time.Millisecond) // polling the sink
	}
	select {
	case <-sink.ended:
		t.Fatal("the session ended before the server stopped: the connection was not kept")
	default:
	}
	s.stop()
	select {
	case <-sink.ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the SMTP session was still open 5 s after the server stopped: no QUIT")
	}
	if strings.Contains(s.log.String(), "closing the mail connection") {
		t.Errorf("closing the kept connection logged a failure:\n%s", s.log)
	}
}
