package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/outbox"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// memQueue is an in-memory booking.JobQueue with the semantics the SQLite
// store promises: due, unleased jobs in (RunAt, ID) order.
type memQueue struct {
	mu   sync.Mutex
	next int64
	jobs map[int64]*memJob
}

type memJob struct {
	booking.QueuedJob
	state      string // "pending", "done", "failed"
	leaseUntil time.Time
}

// MustRunner returns the runner of the mail queue q with sender s, on the
// clock of s.Options, changed by opts.
func MustRunner(tb testing.TB, q booking.JobQueue, s *mail.Sender, opts ...func(*outbox.Config)) *outbox.Runner {
	tb.Helper()
	c := outbox.Config{Queue: mail.Queue, Store: q, Handler: s, Now: s.Options.Now}
	for _, o := range opts {
		o(&c)
	}
	r, err := outbox.New(c)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func newMemQueue() *memQueue { return &memQueue{jobs: map[int64]*memJob{}} }

func (q *memQueue) Add(now time.Time, jobs ...booking.Job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range jobs {
		q.next++
		if j.RunAt.IsZero() {
			j.RunAt = now
		}
		q.jobs[q.next] = &memJob{QueuedJob: booking.QueuedJob{Job: j, ID: q.next, CreatedAt: now}, state: "pending"}
	}
}

func (q *memQueue) ClaimJobs(ctx context.Context, queue string, now time.Time, limit int, lease time.Duration) ([]booking.QueuedJob, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var due []*memJob
	for _, j := range q.jobs {
		if j.Queue == queue && j.state == "pending" && !j.RunAt.After(now) && !j.leaseUntil.After(now) {
			due = append(due, j)
		}
	}
	slices.SortFunc(due, func(a, b *memJob) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	var out []booking.QueuedJob
	for _, j := range due[:min(limit, len(due))] {
		j.leaseUntil = now.Add(lease)
		j.Attempts++ // counted at claim, like the SQLite store
		out = append(out, j.QueuedJob)
	}
	return out, nil
}

func (q *memQueue) get(id int64) (*memJob, error) {
	j, ok := q.jobs[id]
	if !ok || j.state != "pending" {
		return nil, errors.New("no such pending job")
	}
	return j, nil
}

func (q *memQueue) CompleteJob(ctx context.Context, id int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, err := q.get(id)
	if err != nil {
		return err
	}
	j.state = "done"
	return nil
}

func (q *memQueue) RetryJob(ctx context.Context, id int64, errText string, retryAt time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, err := q.get(id)
	if err != nil {
		return err
	}
	j.LastError, j.RunAt, j.leaseUntil = errText, retryAt, time.Time{}
	return nil
}

func (q *memQueue) PostponeJob(ctx context.Context, id int64, errText string, until time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, err := q.get(id)
	if err != nil {
		return err
	}
	j.LastError, j.RunAt, j.leaseUntil = errText, until, time.Time{}
	j.Attempts-- // not an attempt, like the SQLite store
	return nil
}

func (q *memQueue) FailJob(ctx context.Context, id int64, errText string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, err := q.get(id)
	if err != nil {
		return err
	}
	j.state, j.LastError = "failed", errText
	return nil
}

// States returns the number of jobs per state.
func (q *memQueue) States() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := map[string]int{}
	for _, j := range q.jobs {
		m[j.state]++
	}
	return m
}

func (q *memQueue) Snapshot() []memJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []memJob
	for _, j := range q.jobs {
		out = append(out, *j)
	}
	slices.SortFunc(out, func(a, b memJob) int { return int(a.ID - b.ID) })
	return out
}

// received is a message as the fake SMTP server got it.
type received struct {
	From string
	To   []string
	Data []byte
	UTF8 bool // MAIL FROM carried SMTPUTF8
}

// smtpServer is an in-process go-smtp server on 127.0.0.1 whose behaviour
// can be switched: "accept", "tempfail" (451 to MAIL), "hang" (accepts the
// TCP connection and never answers), "closing-once" (421 to the next
// MAIL, as a server closing an idle connection says) and "down" (the port refuses
// connections). Recipients in reject get 550.
type smtpServer struct {
	tb     testing.TB
	addr   string
	server *smtp.Server

	mu       sync.Mutex
	mode     string
	ln       net.Listener
	got      []received
	reject   map[string]bool
	conns    chan net.Conn
	hanging  []net.Conn
	attempts int
	live     []net.Conn    // the connections served, to drop them
	logouts  chan struct{} // a session that received mail ended (QUIT or a closed connection)

	implicitTLS *tls.Config // wrap every connection in TLS (port 465 style)
	user, pass  string      // when set, MAIL requires AUTH PLAIN with these
	tlsSeen     bool        // a message arrived over TLS
}

func MustStartSMTP(tb testing.TB) *smtpServer {
	tb.Helper()
	return startSMTP(tb, false)
}

// MustStartSMTPUTF8 starts the fake server offering SMTPUTF8 (RFC 6531).
func MustStartSMTPUTF8(tb testing.TB) *smtpServer {
	tb.Helper()
	return startSMTP(tb, true)
}

func startSMTP(tb testing.TB, utf8 bool) *smtpServer {
	tb.Helper()
	s := &smtpServer{tb: tb, mode: "accept", reject: map[string]bool{}, conns: make(chan net.Conn), logouts: make(chan struct{}, 1000)}
	s.server = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	s.server.EnableSMTPUTF8 = utf8
	s.server.Domain = "mx.test"
	s.server.AllowInsecureAuth = true
	s.server.ReadTimeout = 10 * time.Second
	s.server.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.ln = ln
	go s.server.Serve(&chanListener{conns: s.conns, addr: ln.Addr()})
	go s.acceptLoop(ln)
	tb.Cleanup(func() {
		s.mu.Lock()
		if s.ln != nil {
			s.ln.Close()
		}
		for _, c := range s.hanging {
			c.Close()
		}
		s.mu.Unlock()
		s.server.Close()
	})
	return s
}

func (s *smtpServer) acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.attempts++
		mode := s.mode
		if mode == "hang" {
			s.hanging = append(s.hanging, c)
			s.mu.Unlock()
			continue
		}
		s.live = append(s.live, c)
		if s.implicitTLS != nil {
			c = tls.Server(c, s.implicitTLS)
		}
		s.mu.Unlock()
		s.conns <- c
	}
}

// SetMode switches the behaviour for new connections.
func (s *smtpServer) SetMode(mode string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case mode == "down" && s.ln != nil:
		s.ln.Close()
		s.ln = nil
	case mode != "down" && s.ln == nil:
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			s.tb.Fatalf("listen again on %s: %v", s.addr, err)
		}
		s.ln = ln
		go s.acceptLoop(ln)
	}
	s.mode = mode
}

// DropConnections closes every connection served so far, as a server
// does with an idle one.
func (s *smtpServer) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		c.Close()
	}
	s.live = nil
}

// Attempts is the number of connections made to the server.
func (s *smtpServer) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// WaitLogout waits for a session that received mail to end.
func (s *smtpServer) WaitLogout() {
	s.tb.Helper()
	select {
	case <-s.logouts:
	case <-time.After(10 * time.Second):
		s.tb.Fatal("no session ended in 10 s")
	}
}

func (s *smtpServer) Received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

func (s *smtpServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

type session struct {
	s      *smtpServer
	conn   *smtp.Conn
	from   string
	to     []string
	utf8   bool
	authed bool
	mails  int // messages received in the session
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		ss.s.mu.Lock()
		ok := user == ss.s.user && pass == ss.s.pass
		ss.s.mu.Unlock()
		if !ok {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Reset() { ss.from, ss.to, ss.utf8 = "", nil, false }
func (ss *session) Logout() error {
	if ss.mails == 0 {
		return nil // such as the session before STARTTLS
	}
	select {
	case ss.s.logouts <- struct{}{}:
	default:
	}
	return nil
}
func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.s.mu.Lock()
	mode := ss.s.mode
	ss.s.mu.Unlock()
	ss.s.mu.Lock()
	needAuth := ss.s.user != ""
	ss.s.mu.Unlock()
	if needAuth && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if mode == "tempfail" {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	if mode == "closing-once" { // 421 to this MAIL, then accept again
		ss.s.mu.Lock()
		ss.s.mode = "accept"
		ss.s.mu.Unlock()
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "idle too long, closing"}
	}
	ss.from = from
	ss.utf8 = opts != nil && opts.UTF8
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	rej := ss.s.reject[to]
	ss.s.mu.Unlock()
	if rej {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user " + to}
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	if _, ok := ss.conn.TLSConnectionState(); ok {
		ss.s.tlsSeen = true
	}
	ss.s.got = append(ss.s.got, received{From: ss.from, To: ss.to, Data: b, UTF8: ss.utf8})
	ss.mails++
	ss.s.mu.Unlock()
	return nil
}

// chanListener hands the connections chosen by acceptLoop to go-smtp.
type chanListener struct {
	conns chan net.Conn
	addr  net.Addr
}

func (l *chanListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}
func (l *chanListener) Close() error   { return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

// part is a node of a parsed MIME tree.
type part struct {
	ContentType string
	Params      map[string]string
	Disposition string
	Filename    string
	Body        []byte
	Children    []*part
}

// MustParseMIME parses a message into its MIME tree with go-message.
func MustParseMIME(tb testing.TB, raw []byte) (gomail.Header, *part) {
	tb.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse message: %v", err)
	}
	h := gomail.Header{Header: e.Header}
	return h, walk(tb, e)
}

func walk(tb testing.TB, e *message.Entity) *part {
	tb.Helper()
	ct, params, _ := e.Header.ContentType()
	n := &part{ContentType: ct, Params: params}
	n.Disposition, _, _ = e.Header.ContentDisposition()
	if n.Disposition != "" {
		_, dp, _ := e.Header.ContentDisposition()
		n.Filename = dp["filename"]
	}
	mr := e.MultipartReader()
	if mr == nil {
		body, err := io.ReadAll(e.Body) // decoded (base64, quoted-printable)
		if err != nil {
			tb.Fatalf("read %s part: %v", ct, err)
		}
		n.Body = body
		return n
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("next part: %v", err)
		}
		n.Children = append(n.Children, walk(tb, p))
	}
	return n
}

// MustParseInvite decodes an invite and returns its calendar and event.
func MustParseInvite(tb testing.TB, raw []byte) (*ical.Calendar, *ical.Component) {
	tb.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		tb.Fatalf("decode invite: %v", err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		tb.Fatalf("invite has %d events", len(evs))
	}
	return cal, evs[0].Component
}

func contains(haystack []byte, needles ...string) []string {
	var missing []string
	for _, n := range needles {
		if !strings.Contains(string(haystack), n) {
			missing = append(missing, n)
		}
	}
	return missing
}

func MustReadDir(tb testing.TB, dir string) []string {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.SortFunc(names, func(a, b string) int {
		// confirmation first, for a stable test
		return strings.Compare(strings.Replace(a, "confirmation", "a", 1), strings.Replace(b, "confirmation", "a", 1))
	})
	return names
}

func MustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustTLS returns a server configuration with a fresh self-signed
// certificate for 127.0.0.1, and a client configuration trusting it.
func MustTLS(tb testing.TB) (server, client *tls.Config) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}
