package mail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/atelier-app/atelier/internal/mail"
)

// MustStartSMTPTLS starts the fake server with STARTTLS and AUTH PLAIN, as
// a submission server is, and returns it with a client for it.
func MustStartSMTPTLS(tb testing.TB) (*smtpServer, *mail.SMTP) {
	tb.Helper()
	serverTLS, clientTLS := MustTLS(tb)
	srv := MustStartSMTP(tb)
	srv.mu.Lock()
	srv.server.TLSConfig = serverTLS
	srv.user, srv.pass = "bookings", "s3cret"
	srv.mu.Unlock()
	c := &mail.SMTP{Host: "127.0.0.1", Port: srv.Port(), TLS: mail.TLSStartTLS, TLSConfig: clientTLS,
		Username: "bookings", Password: "s3cret", DialTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second}
	tb.Cleanup(func() { c.Close() })
	return srv, c
}

func sendN(tb testing.TB, c *mail.SMTP, from, n int) {
	tb.Helper()
	for i := from; i < from+n; i++ {
		if err := c.Send(context.Background(), mail.Envelope{From: "atelier@example.com", To: []string{fmt.Sprintf("c%d@example.com", i)}}, fmt.Appendf(nil, "Subject: %d\r\n\r\nmessage %d\r\n", i, i)); err != nil {
			tb.Fatalf("message %d: %v", i, err)
		}
	}
}

// wantReceived checks the server got messages 0..n-1, each once, in order.
func wantReceived(tb testing.TB, srv *smtpServer, n int) {
	tb.Helper()
	got := srv.Received()
	if len(got) != n {
		tb.Fatalf("server received %d messages, want %d", len(got), n)
	}
	for i, r := range got {
		if want := fmt.Sprintf("Subject: %d\r\n\r\nmessage %d\r\n", i, i); string(r.Data) != want || len(r.To) != 1 || r.To[0] != fmt.Sprintf("c%d@example.com", i) || r.From != "atelier@example.com" {
			tb.Fatalf("message %d: from %q to %q, %q", i, r.From, r.To, r.Data)
		}
	}
}

// The messages sent one after the other share one connection, with its
// TLS handshake and AUTH, up to 100 of them.
func TestSMTPKeepsTheConnection(t *testing.T) {
	srv, c := MustStartSMTPTLS(t)
	sendN(t, c, 0, 3)
	wantReceived(t, srv, 3)
	if n := srv.Attempts(); n != 1 {
		t.Fatalf("3 messages took %d connections, want 1", n)
	}
	if !srv.tlsSeen {
		t.Fatal("the messages did not go over TLS")
	}
	sendN(t, c, 3, 98) // 101 in all
	wantReceived(t, srv, 101)
	if n := srv.Attempts(); n != 2 {
		t.Fatalf("101 messages took %d connections, want 2 (100 a connection)", n)
	}
}

// A kept connection the server closed meanwhile, or closes at MAIL with
// 421, is replaced by a new one for the same message: nothing of it had
// been sent, and it is delivered once.
func TestSMTPReplacesAConnectionTheServerClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(*smtpServer)
	}{
		{"Dropped", (*smtpServer).DropConnections},
		{"421", func(s *smtpServer) { s.SetMode("closing-once") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := MustStartSMTPTLS(t)
			sendN(t, c, 0, 1)
			tc.close(srv)
			sendN(t, c, 1, 1)
			wantReceived(t, srv, 2)
			if n := srv.Attempts(); n != 2 {
				t.Fatalf("%d connections, want 2", n)
			}
		})
	}
}

// Any other failure on a kept connection is the message's, returned as
// before (the outbox retries it later), and the connection is not kept.
func TestSMTPFailureOnAKeptConnection(t *testing.T) {
	srv, c := MustStartSMTPTLS(t)
	sendN(t, c, 0, 1)
	srv.SetMode("tempfail")
	err := c.Send(context.Background(), mail.Envelope{From: "atelier@example.com", To: []string{"x@example.com"}}, []byte("Subject: x\r\n\r\nx\r\n"))
	var se *mail.SendError
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &se) || se.Stage != "mail" || !errors.As(err, &smtpErr) || smtpErr.Code != 451 {
		t.Fatalf("err = %v, want the 451 to MAIL", err)
	}
	if n := srv.Attempts(); n != 1 {
		t.Fatalf("the 451 was retried on a new connection (%d connections)", n)
	}
	srv.SetMode("accept")
	sendN(t, c, 1, 1)
	if n := srv.Attempts(); n != 2 {
		t.Fatalf("%d connections after the failure, want a new one (2)", n)
	}
	wantReceived(t, srv, 2)
}

// A connection idle for IdleTimeout is closed with QUIT; with a negative
// IdleTimeout each message has its own connection.
func TestSMTPClosesAnIdleConnection(t *testing.T) {
	t.Run("IdleTimeout", func(t *testing.T) {
		srv, c := MustStartSMTPTLS(t)
		c.IdleTimeout = 10 * time.Millisecond
		sendN(t, c, 0, 1)
		srv.WaitLogout()
		sendN(t, c, 1, 1)
		wantReceived(t, srv, 2)
		if n := srv.Attempts(); n != 2 {
			t.Fatalf("%d connections, want 2", n)
		}
	})
	t.Run("Off", func(t *testing.T) {
		srv, c := MustStartSMTPTLS(t)
		c.IdleTimeout = -1
		sendN(t, c, 0, 3)
		wantReceived(t, srv, 3)
		if n := srv.Attempts(); n != 3 {
			t.Fatalf("%d connections, want one a message (3)", n)
		}
	})
}

// Messages sent at the same time each get a connection, and every one
// arrives once.
func TestSMTPConcurrentSends(t *testing.T) {
	srv, c := MustStartSMTPTLS(t)
	const workers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				n := w*each + i
				errs <- c.Send(context.Background(), mail.Envelope{From: "atelier@example.com", To: []string{fmt.Sprintf("c%d@example.com", n)}}, fmt.Appendf(nil, "Subject: %d\r\n\r\nmessage %d\r\n", n, n))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for _, r := range srv.Received() {
		seen[string(r.Data)]++
	}
	for n := range workers * each {
		if k := seen[fmt.Sprintf("Subject: %d\r\n\r\nmessage %d\r\n", n, n)]; k != 1 {
			t.Fatalf("message %d arrived %d times", n, k)
		}
	}
	if n := srv.Attempts(); n > workers*each/2 {
		t.Fatalf("%d connections for %d messages", n, workers*each)
	}
}

// BenchmarkSMTPSend sends a 14 KB message through STARTTLS and AUTH PLAIN
// to the in-process go-smtp server, the connection kept from one message
// to the next (as Send does) or not (IdleTimeout < 0, as it did). The CPU
// is the process's: the client's and the server's.
func BenchmarkSMTPSend(b *testing.B) {
	msg := make([]byte, 14000)
	for i := range msg {
		msg[i] = 'a' + byte(i%26)
		if i%78 == 76 {
			msg[i] = '\r'
		} else if i%78 == 77 {
			msg[i] = '\n'
		}
	}
	for _, tc := range []struct {
		name string
		idle time.Duration
	}{{"kept", 0}, {"each", -1}} {
		b.Run(tc.name, func(b *testing.B) {
			_, c := MustStartSMTPTLS(b)
			c.IdleTimeout = tc.idle
			env := mail.Envelope{From: "atelier@example.com", To: []string{"c@example.com"}}
			start := processCPU()
			for b.Loop() {
				if err := c.Send(context.Background(), env, msg); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}
