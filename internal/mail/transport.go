package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/atelier-app/atelier/internal/mailaddr"
)

// Envelope is the SMTP envelope of a message, with what a transport may
// use to name it.
type Envelope struct {
	From      string
	To        []string
	Kind      string // message kind, e.g. "confirmation"
	BookingID string
	JobID     int64
}

// Transport delivers a composed message. Send returns nil only once the
// message is accepted (for SMTP: after the 250 reply to DATA).
type Transport interface {
	Send(ctx context.Context, env Envelope, msg []byte) error
}

// TLS modes of SMTP (mail.smtp.tls).
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// SMTP sends mail through a submission server with go-smtp.
type SMTP struct {
	Host      string
	Port      int
	Username  string // AUTH PLAIN when set
	Password  string
	TLS       string      // TLSStartTLS (default), TLSImplicit or TLSNone
	TLSConfig *tls.Config // optional; ServerName defaults to Host
	// Timeouts: connecting, each command, and the reply after the message
	// data. Defaults: 30 s, 1 min, 2 min.
	DialTimeout, CommandTimeout, SubmissionTimeout time.Duration
	// IdleTimeout is how long the connection of a message sent stays open
	// for the next one, which then skips the connection, the TLS handshake
	// and AUTH (default 20 s; negative: a new connection for every
	// message). A connection carries at most maxMessagesPerConn messages.
	IdleTimeout time.Duration

	mu   sync.Mutex
	idle *smtpConn // the connection kept for the next message, if any
}

// smtpConn is a connection to the server, greeted, secured and
// authenticated, between two messages.
type smtpConn struct {
	c     *smtp.Client
	conn  net.Conn
	sent  int         // messages accepted over it
	kept  int         // how many times it was kept idle: its timer's generation
	timer *time.Timer // closes it once idle for IdleTimeout
}

// maxMessagesPerConn bounds the messages sent over one connection: some
// servers close a connection after a number of them, or slow it down.
const maxMessagesPerConn = 100

// defaultIdleTimeout is SMTP.IdleTimeout's default, well under the five
// minutes a server waits for a command (RFC 5321 4.5.3.2.7).
const defaultIdleTimeout = 20 * time.Second

// SendError is a failed delivery: the stage that failed and the cause.
type SendError struct {
	Stage string // "connect", "tls", "auth", "mail", "rcpt", "data"
	Err   error
}

func (e *SendError) Error() string { return "smtp " + e.Stage + ": " + e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports whether retrying err cannot help: a 5xx reply to the
// message itself (MAIL, RCPT or DATA). A 5xx during connection or
// authentication is a configuration problem that staff can fix, so it is
// retried like a 4xx, a timeout or a refused connection.
func Permanent(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) || errors.Is(err, ErrNoSMTPUTF8) {
		return true
	}
	var se *SendError
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &se) || !errors.As(err, &smtpErr) {
		return false
	}
	switch se.Stage {
	case "mail", "rcpt", "data":
		return smtpErr.Code >= 500 && smtpErr.Code < 600
	}
	return false
}

// permanentError marks failures that are not SMTP replies but will never
// succeed (a malformed job).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// safeError describes err for logs: SMTP replies by code only, since a
// server's text may repeat the recipient's address.
func safeError(err error) string {
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		s := "SMTP " + strconv.Itoa(smtpErr.Code)
		if c := smtpErr.EnhancedCode; c != smtp.NoEnhancedCode && c != smtp.EnhancedCodeNotSet {
			s += fmt.Sprintf(" %d.%d.%d", c[0], c[1], c[2])
		}
		var se *SendError
		if errors.As(err, &se) {
			s = "smtp " + se.Stage + ": " + s
		}
		return s
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		return "malformed job"
	}
	return err.Error()
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Send implements Transport. It sends over the connection of the
// previous message when that is still open (see IdleTimeout), else over
// a new one. A kept connection the server closed meanwhile fails at MAIL,
// before anything of the message was sent: Send then opens a new one.
// Any other failure closes the connection and is returned as before; nil
// is returned only after the server's 250 to the message's data.
func (s *SMTP) Send(ctx context.Context, env Envelope, msg []byte) error {
	from, rcpts, utf8, err := envelope(env)
	if err != nil {
		return err
	}
	if sc := s.takeIdle(); sc != nil {
		err := s.deliver(ctx, sc, true, from, rcpts, utf8, msg)
		if !errors.Is(err, errStale) {
			return err
		}
	}
	sc, err := s.dial(ctx)
	if err != nil {
		return err
	}
	return s.deliver(ctx, sc, false, from, rcpts, utf8, msg)
}

// errStale is a kept connection found closed by the server at MAIL.
var errStale = errors.New("smtp: the kept connection was closed")

// dial opens a connection to the server, greeted, secured as TLS asks
// and authenticated.
func (s *SMTP) dial(ctx context.Context) (*smtpConn, error) {
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	dialer := net.Dialer{Timeout: orDefault(s.DialTimeout, 30*time.Second)}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &SendError{"connect", err}
	}
	// Cancelling ctx aborts a hanging exchange.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, err := s.greet(conn)
	if !stop() && err == nil {
		err = &SendError{"connect", ctx.Err()}
	}
	if err != nil {
		if c != nil {
			c.Close()
		}
		conn.Close()
		return nil, err
	}
	return &smtpConn{c: c, conn: conn}, nil
}

// greet reads the server's greeting over conn, says EHLO, starts TLS as
// s.TLS asks and authenticates.
func (s *SMTP) greet(conn net.Conn) (*smtp.Client, error) {
	tlsCfg := s.TLSConfig.Clone()
	if tlsCfg == nil {
		tlsCfg = &tls.Config{}
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = s.Host
	}
	// The greeting and the first commands must answer within the command
	// timeout too.
	cmdTimeout := orDefault(s.CommandTimeout, time.Minute)
	conn.SetDeadline(time.Now().Add(cmdTimeout))
	var c *smtp.Client
	var err error
	switch s.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, tlsCfg))
	case TLSNone:
		c = smtp.NewClient(conn)
	case TLSStartTLS, "":
		// Refuses to go on in plain text if the server offers no STARTTLS.
		if c, err = smtp.NewClientStartTLS(conn, tlsCfg); err != nil {
			return nil, &SendError{"tls", err}
		}
	default:
		return nil, &SendError{"connect", fmt.Errorf("unknown tls mode %q", s.TLS)}
	}
	c.CommandTimeout = cmdTimeout
	c.SubmissionTimeout = orDefault(s.SubmissionTimeout, 2*time.Minute)
	if s.TLS == TLSImplicit || s.TLS == TLSNone {
		// Reads the greeting and says EHLO (NewClientStartTLS did both).
		if err := c.Hello("localhost"); err != nil {
			return c, &SendError{"connect", err}
		}
	}
	conn.SetDeadline(time.Time{}) // from here go-smtp's timeouts apply
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return c, &SendError{"auth", err}
		}
	}
	return c, nil
}

// deliver sends one message over sc and then keeps sc for the next one;
// on any failure it closes sc. reused says sc carried a message before:
// a failure of its MAIL that says the server closed it is errStale.
func (s *SMTP) deliver(ctx context.Context, sc *smtpConn, reused bool, from string, rcpts []string, utf8 bool, msg []byte) error {
	stop := context.AfterFunc(ctx, func() { sc.conn.Close() })
	err := transact(sc.c, reused, from, rcpts, utf8, msg)
	if !stop() && err == nil {
		// Accepted, but ctx ended meanwhile and closed the connection.
		sc.c.Close()
		return nil
	}
	if err != nil {
		sc.c.Close()
		return err
	}
	sc.sent++
	s.keep(sc)
	return nil
}

// transact is one mail transaction: MAIL, RCPT for each recipient, DATA
// and the server's reply to the message.
func transact(c *smtp.Client, reused bool, from string, rcpts []string, utf8 bool, msg []byte) error {
	if utf8 {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return &SendError{"mail", ErrNoSMTPUTF8}
		}
	}
	if err := c.Mail(from, &smtp.MailOptions{UTF8: utf8}); err != nil {
		if reused && closedByServer(err) {
			return errStale
		}
		return &SendError{"mail", err}
	}
	for _, to := range rcpts {
		if err := c.Rcpt(to, nil); err != nil {
			return &SendError{"rcpt", err}
		}
	}
	w, err := c.Data()
	if err != nil {
		return &SendError{"data", err}
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return &SendError{"data", err}
	}
	if err := w.Close(); err != nil { // the server's reply to the final dot
		return &SendError{"data", err}
	}
	return nil
}

// closedByServer reports whether err, the failure of MAIL on a kept
// connection, says the server closed the connection while it was idle: a
// 421 reply (closing the channel) or a connection that is gone. A timeout
// is not: the server is there but slow, and is given the usual retries.
func closedByServer(err error) bool {
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		return smtpErr.Code == 421
	}
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

// keep holds sc open for the next message for IdleTimeout, or says QUIT
// when it may not be kept (reuse off, its messages used up, another
// connection kept already).
func (s *SMTP) keep(sc *smtpConn) {
	idle := orDefault(s.IdleTimeout, defaultIdleTimeout)
	if s.IdleTimeout < 0 || sc.sent >= maxMessagesPerConn {
		sc.quit() // the message is accepted; a failed QUIT changes nothing
		return
	}
	s.mu.Lock()
	if s.idle != nil {
		s.mu.Unlock()
		sc.quit()
		return
	}
	s.idle = sc
	sc.kept++
	kept := sc.kept
	sc.timer = time.AfterFunc(idle, func() {
		s.mu.Lock()
		if s.idle != sc || sc.kept != kept {
			s.mu.Unlock()
			return // taken for a message meanwhile
		}
		s.idle = nil
		s.mu.Unlock()
		sc.quit()
	})
	s.mu.Unlock()
}

// takeIdle returns the kept connection, if any, for a message.
func (s *SMTP) takeIdle() *smtpConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.idle
	if sc != nil {
		s.idle = nil
		sc.timer.Stop() // if it fired, it finds the connection taken
	}
	return sc
}

// Close says QUIT on the connection kept for the next message, if any.
func (s *SMTP) Close() error {
	sc := s.takeIdle()
	if sc == nil {
		return nil
	}
	if err := sc.quit(); err != nil {
		return fmt.Errorf("smtp: quit: %w", err)
	}
	return nil
}

// quit says QUIT and closes the connection: go-smtp's Quit closes it
// after the server's answer, and leaves it to be closed when there is
// none.
func (sc *smtpConn) quit() error {
	if err := sc.c.Quit(); err != nil {
		sc.c.Close()
		return err
	}
	return nil
}

// ErrNoSMTPUTF8 is a message to or from an address with a non-ASCII
// local part (zoë@example.com) through a server that does not offer
// SMTPUTF8 (RFC 6531): it cannot be sent there, so it is not retried.
var ErrNoSMTPUTF8 = errors.New("the mail server does not offer SMTPUTF8, which an address with non-ASCII letters before the @ needs")

// envelope returns the SMTP envelope of env: domains in IDNA A-labels,
// which every server takes, and whether a local part needs SMTPUTF8.
func envelope(env Envelope) (from string, to []string, utf8 bool, err error) {
	conv := func(addr string) (string, error) {
		a, err := mailaddr.ToASCII(strings.TrimSpace(addr))
		if err != nil {
			return "", &permanentError{fmt.Errorf("envelope address: %w", err)}
		}
		utf8 = utf8 || mailaddr.UTF8Local(a)
		return a, nil
	}
	if from, err = conv(env.From); err != nil {
		return "", nil, false, err
	}
	for _, r := range env.To {
		a, err := conv(r)
		if err != nil {
			return "", nil, false, err
		}
		to = append(to, a)
	}
	return from, to, utf8, nil
}

// Dir writes each message as an .eml file into a folder: the demo's
// transport when no SMTP server is configured.
type Dir struct {
	Path   string
	Now    func() time.Time
	Logger *slog.Logger // logs where each message went (no personal data)

	made      atomic.Bool // the folder was made (or found) by an earlier Send
	noUnnamed atomic.Bool // the folder cannot hold unnamed files (O_TMPFILE)

	// written, when set, is called once a message is whole in its file and
	// before the file gets its name (tests: what a reader, or a crash,
	// would find then).
	written func()
}

// Send implements Transport: it writes <time>-<kind>-<booking>-<job>.eml,
// atomically (a reader never sees half a message), and returns nil only
// once the whole message is in the file under its name.
//
// On Linux the message is written into an unnamed file of the folder
// (O_TMPFILE) that is given its name once whole (linkat): a process
// killed before that leaves nothing in the folder, and the kernel does a
// create and a link. Elsewhere, and on a file system without unnamed
// files, it is written under a hidden temporary name (.tmp-*.eml) and
// renamed: a process killed before the rename leaves that file behind.
// Either way nothing is synced to the disk (as before): the message
// survives the process, but a power cut may lose a file whose job was
// marked sent. The folder is made on the first message (and again if it
// was removed since: the create then fails for want of it).
func (d *Dir) Send(ctx context.Context, env Envelope, msg []byte) error {
	if !d.made.Load() {
		if err := os.MkdirAll(d.Path, 0o750); err != nil {
			return fmt.Errorf("mail outbox: %w", err)
		}
		d.made.Store(true)
	}
	path := filepath.Join(d.Path, dirFileName(d.Now(), env))
	err := d.write(path, msg)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(d.Path, 0o750); err != nil {
			return fmt.Errorf("mail outbox: %w", err)
		}
		err = d.write(path, msg)
	}
	if err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	if d.Logger != nil {
		d.Logger.InfoContext(ctx, "mail written to outbox folder (no SMTP server configured)", "path", path, "kind", env.Kind, "booking", env.BookingID)
	}
	return nil
}

// write writes msg into the file path of the folder, whole or not at all:
// through an unnamed file where the folder allows one, else through a
// temporary name.
func (d *Dir) write(path string, msg []byte) error {
	if !d.noUnnamed.Load() {
		err := writeUnnamed(d.Path, path, msg, d.written)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, errNoUnnamed):
			d.noUnnamed.Store(true)
		case errors.Is(err, errNameTaken):
			// A file (or a folder) already has the name: the rename below
			// replaces a file, as it always did.
		default:
			return err
		}
	}
	return d.writeRenamed(path, msg)
}

// Errors of writeUnnamed that send the message through writeRenamed.
var (
	errNoUnnamed = errors.New("the folder cannot hold unnamed files")
	errNameTaken = errors.New("the file name is taken")
)

// writeRenamed writes msg into a new file of a hidden temporary name in
// the folder and renames it path; the temporary file is removed when the
// message did not reach its name.
func (d *Dir) writeRenamed(path string, msg []byte) error {
	tmp, err := os.CreateTemp(d.Path, ".tmp-*.eml")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(msg); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if d.written != nil {
		d.written()
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// dirFileName is a message's file name in the outbox folder:
// <time>-<kind>-<booking>-<job>.eml, the kind and booking with every run
// of other bytes than [A-Za-z0-9_-] written as one "_".
func dirFileName(now time.Time, env Envelope) string {
	b := make([]byte, 0, 64+len(env.Kind)+len(env.BookingID))
	b = now.UTC().AppendFormat(b, "20060102T150405.000Z")
	b = append(b, '-')
	b = appendSafeName(b, env.Kind)
	b = append(b, '-')
	if env.BookingID == "" {
		b = append(b, "none"...)
	} else {
		b = appendSafeName(b, env.BookingID)
	}
	b = append(b, '-')
	b = strconv.AppendInt(b, env.JobID, 10)
	b = append(b, ".eml"...)
	return string(b)
}

// appendSafeName appends s with every run of bytes outside [A-Za-z0-9_-]
// replaced by one "_".
func appendSafeName(b []byte, s string) []byte {
	run := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' {
			b = append(b, c)
			run = false
		} else if !run {
			b = append(b, '_')
			run = true
		}
	}
	return b
}
