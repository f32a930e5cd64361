package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestCrashSafety runs the real binary, books at full speed from several
// goroutines, kills the server with SIGKILL in mid-load, restarts it on the
// same database and checks that every booking that got a 201 (and every
// cancellation that got a 200) survived intact, that the file passes
// PRAGMA integrity_check, and that the outbox (the jobs table) and the
// audit trail hold each booking change exactly once. Three kills.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	// Building the binary comes first and is not timed: on a cold
	// "go test ./..." it competes with every other package's build.
	bin := MustBuildAtelier(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "atelier.db")
	cfg, err := filepath.Abs("testdata/load.yaml")
	if err != nil {
		t.Fatal(err)
	}

	led := &ledger{cancelAcked: map[string]bool{}, cancelTried: map[string]bool{}}
	var pairs []pair
	var next atomic.Int64
	const kills = 3
	for round := 1; round <= kills; round++ {
		srv := MustStartServer(t, bin, cfg, db, dir)
		led.verify(t, srv.client, fmt.Sprintf("after restart %d", round-1))
		if pairs == nil {
			pairs = MustFreePairs(t, srv.client)
		}
		n := len(led.snapshot())
		drive(t, srv, pairs, &next, led, 40)
		t.Logf("round %d: %d bookings acknowledged before SIGKILL (%d in all)", round, len(led.snapshot())-n, len(led.snapshot()))
		MustCheckFile(t, db, led)
	}
	srv := MustStartServer(t, bin, cfg, db, dir)
	led.verify(t, srv.client, fmt.Sprintf("after restart %d", kills))
	WaitOutboxDrained(t, db, stallLimit)
	srv.stop(t)
	MustCheckFile(t, db, led)
	LogDuplicateDeliveries(t, filepath.Join(dir, "mail-outbox"))
}

// WaitOutboxDrained waits until the restarted server's workers have done
// every job that is due and not leased (reminders for later stay pending),
// so jobs queued before the kills are shown to resume; it fails if any job
// failed for good or if the due jobs stop going down for stall (the
// workers did not resume; a slow machine only takes longer). Jobs a killed
// worker had claimed stay leased until their lease runs out (minutes) and
// are claimed again then; they are counted and logged.
func WaitOutboxDrained(tb testing.TB, path string, stall time.Duration) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	const layout = "2006-01-02T15:04:05.000Z"
	var due, leased, failed int
	least, progress := -1, time.Now()
	for {
		now := time.Now().UTC().Format(layout)
		err := db.QueryRowContext(tb.Context(), `SELECT
				count(*) FILTER (WHERE state = 'pending' AND run_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)),
				count(*) FILTER (WHERE state = 'pending' AND lease_until > ?1),
				count(*) FILTER (WHERE state = 'failed')
			FROM jobs`, now).Scan(&due, &leased, &failed)
		if err != nil {
			tb.Fatalf("counting due jobs: %v", err)
		}
		if least < 0 || due < least {
			least, progress = due, time.Now()
		}
		if due == 0 || failed > 0 || time.Since(progress) > stall {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling the workers' progress, bounded by limit
	}
	if failed > 0 {
		tb.Errorf("outbox: %d jobs failed for good after the restarts", failed)
	}
	if due > 0 {
		tb.Errorf("outbox: %d due jobs still pending, none done for %s after the last restart: the workers did not resume them", due, stall)
	}
	tb.Logf("outbox: every claimable due job done; %d jobs claimed by a killed worker wait for their lease to run out", leased)
}

// LogDuplicateDeliveries counts the jobs the mail worker delivered more than
// once into the outbox folder (the file name ends in -JOBID.eml). Delivery
// is at least once: a kill between writing a message and marking its job
// done sends it again, so this is reported, not failed.
func LogDuplicateDeliveries(tb testing.TB, outbox string) {
	tb.Helper()
	entries, err := os.ReadDir(outbox)
	if err != nil {
		tb.Logf("no mail outbox folder (%v): mail delivery not checked", err)
		return
	}
	perJob := map[string]int{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".eml")
		if i := strings.LastIndexByte(name, '-'); ok && i >= 0 {
			perJob[name[i+1:]]++
		}
	}
	dups := 0
	for _, n := range perJob {
		dups += n - 1
	}
	tb.Logf("mail outbox: %d messages for %d jobs; %d re-deliveries after kills (at-least-once)", len(entries), len(perJob), dups)
}

// pair is a free (start, artisan) of the load catalogue's virtual fitting.
type pair struct {
	start   time.Time
	artisan string
}

// ledger is what the clients were told: the acknowledged bookings and
// cancellations.
type ledger struct {
	mu          sync.Mutex
	acked       []bookingView
	cancelAcked map[string]bool // a 200 to the cancel
	cancelTried map[string]bool // a cancel was sent; the answer may have been lost
}

func (l *ledger) snapshot() []bookingView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bookingView(nil), l.acked...)
}

// verify fetches every acknowledged booking with its manage token.
func (l *ledger) verify(t *testing.T, cl *client, when string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx := t.Context()
	for _, b := range l.acked {
		got, status, err := cl.getBooking(ctx, b.ID, b.ManageToken)
		if err != nil || status != http.StatusOK {
			t.Errorf("%s: booking %s (acknowledged with 201) is lost: status %d, %v", when, b.ID, status, err)
			continue
		}
		want := b
		switch {
		case l.cancelAcked[b.ID]:
			want.Status, want.Sequence = "cancelled", b.Sequence+1
		case l.cancelTried[b.ID] && got.Status == "cancelled":
			// The cancel committed but its answer was cut by the kill.
			want.Status, want.Sequence = "cancelled", b.Sequence+1
		}
		if d := got.differs(want); d != "" {
			t.Errorf("%s: booking %s is not intact: %s", when, b.ID, d)
		}
	}
}

// stallLimit is how long drive waits for the next acknowledged booking
// before it calls the server stuck. It is no speed budget: a slow machine
// acknowledges slowly but steadily; a server that answers no booking for
// this long has hung, which is a real fault.
const stallLimit = time.Minute

// drive books (and cancels one booking in five) from several goroutines
// until at least minAcks bookings were acknowledged and a random extra
// moment passed; then it kills the server with SIGKILL while requests are
// in flight. However slow the machine, the kill waits for minAcks: a round
// that acknowledged nothing would check nothing. It fails only if the
// server stops acknowledging bookings for stallLimit.
func drive(t *testing.T, srv *server, pairs []pair, next *atomic.Int64, led *ledger, minAcks int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var acks atomic.Int64
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			var mine []bookingView
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(pairs)) {
					return
				}
				if len(mine) > 0 && i%5 == 0 {
					b := mine[len(mine)-1]
					mine = mine[:len(mine)-1]
					led.mu.Lock()
					led.cancelTried[b.ID] = true
					led.mu.Unlock()
					status, err := srv.client.cancel(ctx, b.ID, b.ManageToken)
					if err != nil {
						return // the server is gone
					}
					if status == http.StatusOK {
						led.mu.Lock()
						led.cancelAcked[b.ID] = true
						led.mu.Unlock()
					} else {
						t.Errorf("cancel %s: status %d", b.ID, status)
					}
					continue
				}
				p := pairs[i]
				req := bookingRequest{
					Service: "fitting", Mode: "virtual", Start: p.start, Artisan: p.artisan,
					Customer: customer{Name: fmt.Sprintf("Crash %d-%d", g, i), Email: fmt.Sprintf("crash%d@load.example", i)},
				}
				res, err := srv.client.do(ctx, http.MethodPost, "/api/v1/bookings", req, nil)
				if err != nil {
					return // the server is gone
				}
				switch {
				case res.status == http.StatusCreated:
					var b bookingView
					if err := json.Unmarshal(res.body, &b); err != nil || b.ManageToken == "" {
						t.Errorf("a 201 without a booking: %.200s", res.body)
						return
					}
					led.mu.Lock()
					led.acked = append(led.acked, b)
					led.mu.Unlock()
					mine = append(mine, b)
					acks.Add(1)
				case res.status >= 500:
					t.Errorf("POST /bookings: %d %.200s", res.status, res.body)
				}
			}
		})
	}
	// Kill at a random moment once enough bookings were acknowledged.
	extra := time.Duration(rand.IntN(400)) * time.Millisecond
	stopped := make(chan struct{}) // every goroutine returned: no free pair left, or the server died
	go func() { wg.Wait(); close(stopped) }()
	seen, progress := acks.Load(), time.Now()
	for seen < int64(minAcks) {
		select {
		case <-stopped:
			t.Fatalf("the clients stopped after %d of %d acknowledged bookings (free pairs used up, or the server died):\n%s", acks.Load(), minAcks, srv.tail())
		default:
		}
		if time.Since(progress) > stallLimit {
			srv.kill(t)
			cancel()
			wg.Wait()
			t.Fatalf("the server acknowledged no booking for %s (%d of %d so far in this round):\n%s", stallLimit, seen, minAcks, srv.tail())
		}
		time.Sleep(5 * time.Millisecond) // polling the counter, not hiding a race
		if n := acks.Load(); n != seen {
			seen, progress = n, time.Now()
		}
	}
	time.Sleep(extra) // the moment of the kill, at random after minAcks
	srv.kill(t)
	cancel()
	wg.Wait()
}

// MustBuildAtelier builds cmd/atelier into a temporary folder.
func MustBuildAtelier(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "atelier")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/atelier-app/atelier/cmd/atelier")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/atelier: %v\n%s", err, out)
	}
	return bin
}

// server is a running atelier binary.
type server struct {
	cmd    *exec.Cmd
	client *client
	done   chan struct{}
	mu     sync.Mutex
	log    []string // the last lines of its standard error
}

// MustStartServer starts bin on a free loopback port and waits for a
// healthy /healthz.
func MustStartServer(tb testing.TB, bin, cfg, db, dir string) *server {
	tb.Helper()
	cmd := exec.Command(bin, "--config", cfg, "--db", db, "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	return MustStartProcess(tb, cmd)
}

// MustStartProcess starts the server command cmd (which must listen on a
// free loopback port and log it) and waits for a healthy /healthz.
func MustStartProcess(tb testing.TB, cmd *exec.Cmd) *server {
	tb.Helper()
	bin := cmd.Path
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", bin, err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	tb.Cleanup(func() { s.kill(tb) })
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log = append(s.log[max(0, len(s.log)-19):], line)
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		s.client = newClient(64, "http://"+a)
	case <-s.done:
		tb.Fatalf("the server exited before listening:\n%s", s.tail())
	case <-time.After(20 * time.Second):
		tb.Fatalf("the server did not log its address within 20s:\n%s", s.tail())
	}
	for start := time.Now(); ; {
		res, err := s.client.do(tb.Context(), http.MethodGet, "/healthz", nil, nil)
		if err == nil && res.status == http.StatusOK {
			return s
		}
		if time.Since(start) > 10*time.Second {
			tb.Fatalf("/healthz not 200 within 10s (%d, %v):\n%s", res.status, err, s.tail())
		}
		time.Sleep(10 * time.Millisecond) // polling start-up, bounded above
	}
}

func (s *server) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.log, "\n")
}

// kill sends SIGKILL (no chance to flush or shut down) and reaps the process.
func (s *server) kill(tb testing.TB) {
	tb.Helper()
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	<-s.done
}

// stop shuts the server down gracefully with SIGTERM.
func (s *server) stop(tb testing.TB) {
	tb.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		tb.Errorf("graceful shutdown: %v\n%s", err, s.tail())
	}
	<-s.done
}

// MustFreePairs lists the free (slot, artisan) pairs of the virtual
// fitting over the next 60 days, shuffled.
func MustFreePairs(tb testing.TB, cl *client) []pair {
	tb.Helper()
	ctx := tb.Context()
	cat, err := cl.catalogue(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	first := dayAfter(time.Now(), cat.atelier.loc, 1)
	free, err := cl.availability(ctx, "fitting", "virtual", first, first.AddDate(0, 0, 59))
	if err != nil {
		tb.Fatal(err)
	}
	var ps []pair
	for _, s := range free {
		for _, a := range s.Artisans {
			ps = append(ps, pair{s.Start, a})
		}
	}
	rand.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	if len(ps) < 1000 {
		tb.Fatalf("only %d free pairs; is testdata/load.yaml the catalogue?", len(ps))
	}
	return ps
}

// MustCheckFile opens the database file directly (the server is not
// running) and checks its integrity, the audit trail and the outbox.
func MustCheckFile(tb testing.TB, path string, led *ledger) {
	tb.Helper()
	ctx := tb.Context()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil {
		tb.Fatalf("integrity_check: %v", err)
	}
	if integrity != "ok" {
		tb.Errorf("PRAGMA integrity_check = %q, want ok", integrity)
	}

	// Every acknowledged booking is a row.
	for _, b := range led.snapshot() {
		var status string
		if err := db.QueryRowContext(ctx, "SELECT status FROM bookings WHERE id = ?", b.ID).Scan(&status); err != nil {
			tb.Errorf("booking %s (acknowledged) not in the file: %v", b.ID, err)
		}
	}

	// The audit trail: one 'booking.created' per booking and one
	// 'booking.cancelled' per cancelled booking, no more, no less.
	rows, err := db.QueryContext(ctx, `SELECT b.id, b.status,
			(SELECT count(*) FROM audit_log a WHERE a.booking_id = b.id AND a.action = 'booking.created'),
			(SELECT count(*) FROM audit_log a WHERE a.booking_id = b.id AND a.action = 'booking.cancelled')
		FROM bookings b`)
	if err != nil {
		tb.Fatal(err)
	}
	nBookings := 0
	for rows.Next() {
		var id, status string
		var created, cancelled int
		if err := rows.Scan(&id, &status, &created, &cancelled); err != nil {
			tb.Fatal(err)
		}
		nBookings++
		wantCancelled := map[bool]int{true: 1, false: 0}[status == "cancelled"]
		if created != 1 || cancelled != wantCancelled {
			tb.Errorf("booking %s (%s): audit has %d created and %d cancelled events, want 1 and %d", id, status, created, cancelled, wantCancelled)
		}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}

	// The outbox. A booking change writes its audit row and its jobs in one
	// transaction with one clock reading, so each job's created_at is the
	// time of exactly one audit event of its booking: a job matching no
	// event was written twice or without its change, an event with no job
	// lost its jobs; identical jobs of one booking are duplicates.
	var nJobs int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM jobs").Scan(&nJobs); err != nil {
		tb.Fatal(err)
	}
	if nJobs == 0 {
		tb.Logf("%d bookings; the binary queued no outbox jobs (no JobsFunc wired in cmd/atelier yet): only the audit trail was checked", nBookings)
		return
	}
	checks := []struct{ name, query string }{
		{"jobs with no booking change at their time (duplicate or orphan)", `SELECT count(*) FROM jobs j WHERE j.booking_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.booking_id = j.booking_id AND a.at = j.created_at AND a.action LIKE 'booking.%')`},
		{"booking changes with no job (lost)", `SELECT count(*) FROM audit_log a WHERE a.booking_id IS NOT NULL AND a.action LIKE 'booking.%'
			AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.booking_id = a.booking_id AND j.created_at = a.at)`},
		{"identical jobs (duplicates)", `SELECT count(*) FROM (SELECT 1 FROM jobs WHERE booking_id IS NOT NULL
			GROUP BY queue, kind, booking_id, created_at, run_at, payload HAVING count(*) > 1)`},
	}
	for _, c := range checks {
		var n int
		if err := db.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			tb.Fatalf("%s: %v", c.name, err)
		}
		if n != 0 {
			tb.Errorf("outbox: %d %s", n, c.name)
		}
	}
	tb.Logf("%d bookings, %d outbox jobs: integrity ok, each change's jobs present once", nBookings, nJobs)
}
