package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

// The tests of several servers on one PostgreSQL database use the
// package's PostgreSQL server (pgtest: skipped without one, failed under
// ATELIER_REQUIRE_POSTGRES=1).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// smtpSink is an SMTP server (go-smtp, so the binary's real SMTP client is
// what talks to it) that records every message it accepts by Message-ID
// and recipient. Held, it accepts a message's data but answers only when
// released (or never, if the sending server dies first): a send in flight.
type smtpSink struct {
	port int

	mu       sync.Mutex
	got      map[string]int // "Message-ID recipient" → deliveries
	messages int
	hold     chan struct{} // non-nil while held: closed to release
	holding  int           // sessions waiting in DATA
}

func startSMTPSink(tb testing.TB) *smtpSink {
	tb.Helper()
	s := &smtpSink{got: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "mx.test"
	srv.ReadTimeout = time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	tb.Cleanup(func() {
		s.release()
		srv.Close()
	})
	return s
}

// holdSends makes every message from now on wait in DATA.
func (s *smtpSink) holdSends() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

func (s *smtpSink) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

func (s *smtpSink) held() int { s.mu.Lock(); defer s.mu.Unlock(); return s.holding }

// deliveries returns a copy of what was delivered and how many messages.
func (s *smtpSink) deliveries() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.got))
	for k, v := range s.got {
		out[k] = v
	}
	return out, s.messages
}

type sinkSession struct {
	s    *smtpSink
	rcpt []string
}

func (ss *sinkSession) Reset()                               { ss.rcpt = nil }
func (ss *sinkSession) Logout() error                        { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.rcpt = append(ss.rcpt, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	id := ""
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":"); ok && strings.EqualFold(k, "Message-Id") {
			id = strings.TrimSpace(v)
		}
		if err != nil || strings.TrimRight(line, "\r\n") == "" {
			break
		}
	}
	io.Copy(io.Discard, br)
	s := ss.s
	s.mu.Lock()
	hold := s.hold
	if hold != nil {
		s.holding++
	}
	s.mu.Unlock()
	if hold != nil {
		<-hold
		s.mu.Lock()
		s.holding--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "released without delivery"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages++
	for _, to := range ss.rcpt {
		s.got[id+" "+to]++
	}
	return nil
}

// clusterConfig writes the load catalogue on driver postgres (the URL
// comes from ATELIER_DATABASE_URL), with mail sent to 127.0.0.1:port and a
// 5s job lease, and returns its path.
func clusterConfig(tb testing.TB, dir string, port int) string {
	tb.Helper()
	data, err := os.ReadFile("testdata/load.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	s := strings.Replace(string(data), "database:\n  path: load.db\n", "database:\n  driver: postgres\n  job_lease: 5s\n", 1)
	s = strings.Replace(s, "mail:\n", fmt.Sprintf("mail:\n  smtp: {host: 127.0.0.1, port: %d, tls: none}\n", port), 1)
	if !strings.Contains(s, "driver: postgres") || !strings.Contains(s, "smtp:") {
		tb.Fatal("testdata/load.yaml no longer has the database and mail sections this test edits")
	}
	path := filepath.Join(dir, fmt.Sprintf("cluster-%d.yaml", port))
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// startCluster starts n servers on the database at dbURL; server i sends
// its mail to sinks[i].
func startCluster(t *testing.T, bin, dbURL string, sinks []*smtpSink) []*server {
	t.Helper()
	dir := t.TempDir()
	var out []*server
	for _, sink := range sinks {
		cmd := exec.Command(bin, "--config", clusterConfig(t, dir, sink.port), "--addr", "127.0.0.1:0")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ATELIER_DATABASE_URL="+dbURL)
		out = append(out, MustStartProcess(t, cmd))
	}
	return out
}

// outcome is one booking attempt's answer.
type outcome struct {
	server int
	status int
	code   string
	b      bookingView
	err    error
	at     time.Time
}

func attempt(ctx context.Context, srv int, cl *client, p pair, email string) outcome {
	req := bookingRequest{Service: "fitting", Mode: "virtual", Start: p.start, Artisan: p.artisan,
		Customer: customer{Name: "Cluster Customer", Email: email}}
	res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings", req, nil)
	o := outcome{server: srv, status: res.status, err: err, at: time.Now()}
	if err != nil {
		return o
	}
	if res.status == http.StatusCreated {
		json.Unmarshal(res.body, &o.b)
	} else {
		var p struct{ Code string }
		json.Unmarshal(res.body, &p)
		o.code = p.Code
	}
	return o
}

// offered reports whether the server lists p's artisan free at p's start.
func offered(ctx context.Context, cl *client, p pair, loc *time.Location) (bool, error) {
	q := url.Values{"service": {"fitting"}, "mode": {"virtual"}, "artisan": {p.artisan},
		"from": {p.start.In(loc).Format(dateLayout)}, "to": {p.start.In(loc).Format(dateLayout)}}
	var out struct{ Slots []slot }
	if err := cl.getJSON(ctx, "/api/v1/availability?"+q.Encode(), &out); err != nil {
		return false, err
	}
	for _, s := range out.Slots {
		if s.Start.Equal(p.start) {
			for _, a := range s.Artisans {
				if a == p.artisan {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// TestSeveralServers runs three real atelier servers on one PostgreSQL
// database, as behind a load balancer:
//
//   - 100 clients spread over the three race for the same 10 slots: one
//     201 per slot, every other answer a clean 409 slot_unavailable, no 5xx;
//   - a booking made on one server is gone from the other two's
//     availability within a second;
//   - every mail due is sent once (counted by Message-ID and recipient at
//     an SMTP server), whichever server sends it;
//   - one server is killed with SIGKILL in mid-load while it is sending
//     mail: no acknowledged booking is lost, and the mail it held is sent
//     by the others once its lease (5s here) runs out, still once.
func TestSeveralServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three real servers; skipped with -short")
	}
	dbURL := pgtest.Database(t)
	bin := MustBuildAtelier(t)
	doomedSink, sink := startSMTPSink(t), startSMTPSink(t)
	srvs := startCluster(t, bin, dbURL, []*smtpSink{doomedSink, sink, sink})
	ctx := t.Context()
	cat, err := srvs[0].client.catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.atelier.loc
	pairs := MustFreePairs(t, srvs[0].client)
	next := 0
	take := func(n int) []pair { next += n; return pairs[next-n : next] }

	// 1. The race.
	slots := take(10)
	var mu sync.Mutex
	var outcomes []outcome
	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for i := range 100 {
		wg.Go(func() {
			<-startLine
			o := attempt(ctx, i%3, srvs[i%3].client, slots[i%10], fmt.Sprintf("racer%d@load.example", i))
			mu.Lock()
			outcomes = append(outcomes, o)
			mu.Unlock()
		})
	}
	close(startLine)
	wg.Wait()
	wins := map[int]int{}
	perServer := map[int]int{}
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			t.Errorf("server %d: %v", o.server, o.err)
		case o.status == http.StatusCreated:
			for i, p := range slots {
				if o.b.Start.Equal(p.start) && o.b.Artisan == p.artisan {
					wins[i]++
				}
			}
			perServer[o.server]++
		case o.status == http.StatusConflict && o.code == "slot_unavailable":
		default:
			t.Errorf("server %d: status %d code %q, want 201 or 409 slot_unavailable", o.server, o.status, o.code)
		}
	}
	for i := range slots {
		if wins[i] != 1 {
			t.Errorf("slot %d (%s, %s): %d bookings made, want exactly 1", i, slots[i].start, slots[i].artisan, wins[i])
		}
	}
	t.Logf("race: 100 clients over 3 servers for 10 slots: 10 created (by server: %v), 90 refused with 409", perServer)

	// 2. A booking made on one server, looked for on the two others.
	var worst time.Duration
	for i, p := range take(6) {
		on := i % 3
		o := attempt(ctx, on, srvs[on].client, p, fmt.Sprintf("seen%d@load.example", i))
		if o.status != http.StatusCreated {
			t.Fatalf("booking on server %d: %d %v", on, o.status, o.err)
		}
		for _, other := range []int{(on + 1) % 3, (on + 2) % 3} {
			for {
				free, err := offered(ctx, srvs[other].client, p, loc)
				if err != nil {
					t.Fatal(err)
				}
				took := time.Since(o.at)
				if !free {
					worst = max(worst, took)
					break
				}
				if took > time.Second {
					t.Fatalf("server %d still offers %s with %s %v after the booking on server %d", other, p.start, p.artisan, took, on)
				}
				time.Sleep(10 * time.Millisecond) // polling, bounded by the one second allowed
			}
		}
	}
	t.Logf("a booking made on one server was gone from the others' availability after at most %v", worst)

	// 3. Every mail due sent once.
	pool := mustPool(t, dbURL)
	waitMailDone(t, pool, 30*time.Second)
	checkOnce(t, "before the kill", pool, sink, doomedSink)

	// 4. Load on all three; server 0 is killed while it holds mail.
	led := &ledger{cancelAcked: map[string]bool{}, cancelTried: map[string]bool{}}
	// Enough pairs that the load outlasts a slow start of server 0's mail
	// (the waits below are bounded too: a load that runs out fails the
	// test, it does not hang it).
	loadPairs := take(min(2000, len(pairs)-next))
	var idx atomic.Int64
	loadCtx, stopLoad := context.WithCancel(ctx)
	var dead atomic.Bool
	var acks atomic.Int64
	for g := range 6 {
		wg.Go(func() {
			for loadCtx.Err() == nil {
				i := idx.Add(1) - 1
				if i >= int64(len(loadPairs)) {
					return
				}
				on := g % 3
				if on == 0 && dead.Load() {
					on = 1 + g%2 // the balancer takes the dead server out
				}
				o := attempt(loadCtx, on, srvs[on].client, loadPairs[i], fmt.Sprintf("load%d@load.example", i))
				switch {
				case o.err != nil:
					if on != 0 && loadCtx.Err() == nil {
						t.Errorf("server %d: %v", on, o.err)
					}
				case o.status == http.StatusCreated:
					led.mu.Lock()
					led.acked = append(led.acked, o.b)
					led.mu.Unlock()
					acks.Add(1)
				case o.status >= 500:
					t.Errorf("server %d: %d", on, o.status)
				}
			}
		})
	}
	// waitAcks waits until n bookings are acknowledged; a load that ends
	// (every pair tried) or stalls before that fails the test.
	waitAcks := func(n int64, what string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for acks.Load() < n {
			if time.Now().After(deadline) || idx.Load() >= int64(len(loadPairs))+6 {
				stopLoad()
				t.Fatalf("%s: %d bookings acknowledged, want %d (%d of %d pairs tried)", what, acks.Load(), n, min(idx.Load(), int64(len(loadPairs))), len(loadPairs))
			}
			time.Sleep(5 * time.Millisecond) // polling the counter
		}
	}
	// Let load build up, then hold server 0's mail in flight and kill it.
	waitAcks(30, "before holding server 0's mail")
	doomedSink.holdSends()
	deadline := time.Now().Add(30 * time.Second)
	for doomedSink.held() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("server 0 sent no mail in 30s of load")
		}
		time.Sleep(5 * time.Millisecond) // polling the sink
	}
	held := doomedSink.held()
	srvs[0].kill(t)
	dead.Store(true)
	killedAt := acks.Load()
	waitAcks(killedAt+30, "after the kill, on the two others")
	stopLoad()
	wg.Wait()
	doomedSink.release()
	t.Logf("load: %d bookings acknowledged, server 0 killed after %d while sending %d messages", acks.Load(), killedAt, held)

	led.verify(t, srvs[1].client, "after the kill")
	retaken := waitMailDone(t, pool, 60*time.Second)
	if retaken == 0 {
		t.Error("no job was claimed a second time: the dead server's mail was not picked up")
	}
	t.Logf("%d jobs claimed by the dead server were taken over by the others once their lease ran out", retaken)
	checkOnce(t, "after the kill", pool, sink, doomedSink)
}

func mustPool(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(tb.Context(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// waitMailDone waits until no mail job is due, leased or failed, and
// returns how many jobs were claimed more than once.
func waitMailDone(tb testing.TB, db *pgx.Conn, limit time.Duration) (retaken int) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for {
		var pending, failed int
		err := db.QueryRow(tb.Context(), `SELECT
				count(*) FILTER (WHERE state = 'pending' AND (run_at <= now() OR lease_until > now())),
				count(*) FILTER (WHERE state = 'failed'),
				count(*) FILTER (WHERE attempts > 1)
			FROM jobs WHERE queue = 'mail'`).Scan(&pending, &failed, &retaken)
		if err != nil {
			tb.Fatal(err)
		}
		if failed > 0 {
			tb.Fatalf("%d mail jobs failed for good", failed)
		}
		if pending == 0 {
			return retaken
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d mail jobs still due or leased after %s", pending, limit)
		}
		time.Sleep(50 * time.Millisecond) // polling the queue, bounded above
	}
}

// checkOnce checks that every message was delivered once in all, by
// Message-ID and recipient, over the sinks, and that there were as many
// messages as mail jobs done.
func checkOnce(tb testing.TB, when string, db *pgx.Conn, sinks ...*smtpSink) {
	tb.Helper()
	all := map[string]int{}
	messages := 0
	for _, s := range sinks {
		got, n := s.deliveries()
		messages += n
		for k, v := range got {
			all[k] += v
		}
	}
	for k, n := range all {
		if n != 1 || strings.HasPrefix(k, " ") {
			tb.Errorf("%s: %q delivered %d times", when, k, n)
		}
	}
	var done int
	if err := db.QueryRow(tb.Context(), `SELECT count(*) FROM jobs WHERE queue = 'mail' AND state = 'done'`).Scan(&done); err != nil {
		tb.Fatal(err)
	}
	if messages == 0 || messages != done {
		tb.Errorf("%s: %d messages delivered for %d mail jobs done", when, messages, done)
	}
	tb.Logf("%s: %d messages, %d deliveries by Message-ID and recipient, each once", when, messages, len(all))
}
