package outbox_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/sqlite"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// queue is a real SQLite job queue in a temporary folder, read back
// through a connection of its own.
type queue struct {
	*sqlite.Store
	raw *sql.DB
}

func MustOpenQueue(tb testing.TB, clk *clock) *queue {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "atelier.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = clk.Now
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		raw.Close()
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return &queue{Store: db, raw: raw}
}

// MustEnqueue queues n jobs of kind on queue "test", due now.
func (q *queue) MustEnqueue(tb testing.TB, kind string, n int) {
	tb.Helper()
	jobs := make([]booking.Job, n)
	for i := range jobs {
		jobs[i] = booking.Job{Queue: "test", Kind: kind, Payload: fmt.Appendf(nil, "%d", i)}
	}
	if err := q.Enqueue(context.Background(), jobs...); err != nil {
		tb.Fatal(err)
	}
}

// row is a job as stored.
type row struct {
	state     string
	attempts  int
	runAt     time.Time
	lastError string
	leased    bool
}

func (q *queue) rows(tb testing.TB) []row {
	tb.Helper()
	rs, err := q.raw.Query(`SELECT state, attempts, run_at, last_error, lease_until IS NOT NULL FROM jobs ORDER BY id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		var runAt string
		if err := rs.Scan(&r.state, &r.attempts, &runAt, &r.lastError, &r.leased); err != nil {
			tb.Fatal(err)
		}
		if r.runAt, err = time.Parse("2006-01-02T15:04:05.000Z", runAt); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func MustRunner(tb testing.TB, c outbox.Config) *outbox.Runner {
	tb.Helper()
	if c.Queue == "" {
		c.Queue = "test"
	}
	r, err := outbox.New(c)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func runOnce(tb testing.TB, r *outbox.Runner) int {
	tb.Helper()
	n, err := r.RunOnce(context.Background())
	if err != nil {
		tb.Fatalf("RunOnce: %v", err)
	}
	return n
}

// TestOutcomes: what a handler's answer does to its job, in the store.
func TestOutcomes(t *testing.T) {
	policy := outbox.Policy{Backoff: outbox.Backoff{Base: time.Minute, Max: time.Hour}}
	for _, tc := range []struct {
		name      string
		err       error
		state     string
		attempts  int
		retryIn   [2]time.Duration // bounds of run_at - now for a pending job
		lastError string
	}{
		{"Done", nil, "done", 1, [2]time.Duration{}, ""},
		{"Skipped", outbox.Skip("booking cancelled since"), "done", 1, [2]time.Duration{}, ""},
		{"Temporary", errors.New("connection refused"), "pending", 1, [2]time.Duration{30 * time.Second, time.Minute}, "connection refused"},
		{"RetryAfterLonger", outbox.RetryAfter(10*time.Minute, errors.New("429")), "pending", 1, [2]time.Duration{10 * time.Minute, 10 * time.Minute}, "429"},
		{"RetryAfterShorter", outbox.RetryAfter(time.Second, errors.New("503")), "pending", 1, [2]time.Duration{30 * time.Second, time.Minute}, "503"},
		{"Permanent", outbox.Permanent(errors.New("550 no such user")), "failed", 1, [2]time.Duration{}, "550 no such user"},
		{"PutOff", outbox.PutOff(t0.Add(5*time.Minute), errors.New("sync stopped")), "pending", 0, [2]time.Duration{5 * time.Minute, 5 * time.Minute}, "sync stopped"},
		{"WrappedPermanent", fmt.Errorf("send: %w", outbox.Permanent(errors.New("bad job"))), "failed", 1, [2]time.Duration{}, "send: bad job"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: t0}
			q := MustOpenQueue(t, clk)
			q.MustEnqueue(t, "x", 1)
			r := MustRunner(t, outbox.Config{Store: q, Policy: policy, Now: clk.Now,
				Handler: outbox.HandlerFunc(func(context.Context, booking.QueuedJob) error { return tc.err })})
			if n := runOnce(t, r); n != 1 {
				t.Fatalf("claimed %d jobs, want 1", n)
			}
			got := q.rows(t)[0]
			if got.state != tc.state || got.attempts != tc.attempts || got.lastError != tc.lastError || got.leased {
				t.Errorf("job = %+v, want state %s, %d attempts, error %q, no lease", got, tc.state, tc.attempts, tc.lastError)
			}
			if tc.state == "pending" {
				if in := got.runAt.Sub(clk.Now()); in < tc.retryIn[0] || in > tc.retryIn[1] {
					t.Errorf("due again in %s, want within [%s, %s]", in, tc.retryIn[0], tc.retryIn[1])
				}
				if n := runOnce(t, r); n != 0 {
					t.Errorf("claimed again before it was due")
				}
			} else if n := runOnce(t, r); n != 0 {
				t.Errorf("a job %s was claimed again", tc.state)
			}
		})
	}
}

// giveUpHandler puts the job off putOff times, then fails every time, and
// records what it was told.
type giveUpHandler struct {
	clk    *clock
	mu     sync.Mutex
	putOff int
	calls  int
	gaveUp []string
}

func (h *giveUpHandler) Handle(context.Context, booking.QueuedJob) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.putOff > 0 {
		h.putOff--
		return outbox.PutOff(h.clk.Now().Add(time.Hour), errors.New("stopped"))
	}
	h.calls++
	return fmt.Errorf("451 try again later (call %d)", h.calls)
}

func (h *giveUpHandler) GaveUp(_ context.Context, j booking.QueuedJob, err error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gaveUp = append(h.gaveUp, fmt.Sprintf("%s: %v", j.Kind, err))
	return nil
}

// TestGiveUpAfterMaxAttempts: temporary failures are retried, each after
// a backoff twice the one before, until the last attempt; then the job
// fails, the handler is told once, and the job is never claimed again.
// Put-off attempts do not count.
func TestGiveUpAfterMaxAttempts(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "x", 1)
	h := &giveUpHandler{clk: clk, putOff: 2}
	r := MustRunner(t, outbox.Config{Store: q, Handler: h, Now: clk.Now, Jitter: func() float64 { return 0 },
		Policy: outbox.Policy{MaxAttempts: 4, Backoff: outbox.Backoff{Base: time.Minute, Max: time.Hour}}})
	for range 2 {
		runOnce(t, r)
		clk.Advance(time.Hour)
	}
	var waits []time.Duration
	for range 4 {
		if n := runOnce(t, r); n != 1 {
			t.Fatalf("claimed %d jobs, want the retry", n)
		}
		if got := q.rows(t)[0]; got.state == "pending" {
			waits = append(waits, got.runAt.Sub(clk.Now()))
			clk.Advance(got.runAt.Sub(clk.Now()))
		}
	}
	// Jitter 0: half of 1, 2 and 4 minutes.
	if want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}; fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("retries after %v, want %v", waits, want)
	}
	got := q.rows(t)[0]
	if got.state != "failed" || got.attempts != 4 || got.lastError != "451 try again later (call 4)" {
		t.Errorf("job = %+v, want failed after 4 attempts with the last error", got)
	}
	if len(h.gaveUp) != 1 || h.gaveUp[0] != "x: 451 try again later (call 4)" {
		t.Errorf("handler told of giving up %v, want once with the last error", h.gaveUp)
	}
	clk.Advance(48 * time.Hour)
	if n := runOnce(t, r); n != 0 {
		t.Errorf("a failed job was claimed again")
	}
}

func TestBackoffDelay(t *testing.T) {
	b := outbox.Backoff{Base: time.Second, Max: 8 * time.Second}
	for _, tc := range []struct {
		name       string
		n          int
		retryAfter time.Duration
		r          float64
		want       time.Duration
	}{
		{"FirstLow", 0, 0, 0, 500 * time.Millisecond},
		{"FirstHigh", 0, 0, 0.999999999, time.Second},
		{"Doubles", 2, 0, 0, 2 * time.Second},
		{"Capped", 30, 0, 0, 4 * time.Second},
		{"RetryAfterWins", 0, time.Minute, 0.5, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.Delay(tc.n, tc.retryAfter, tc.r); got.Round(time.Millisecond) != tc.want {
				t.Errorf("Delay = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestConcurrentRunners: three runners, as in three processes, share one
// queue on a real database: every job is handled exactly once and done.
func TestConcurrentRunners(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	const jobs = 60
	q.MustEnqueue(t, "x", jobs)
	var mu sync.Mutex
	handled := map[string]int{}
	h := outbox.HandlerFunc(func(_ context.Context, j booking.QueuedJob) error {
		mu.Lock()
		defer mu.Unlock()
		handled[string(j.Payload)]++
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		r := MustRunner(t, outbox.Config{Store: q, Handler: h, Now: clk.Now, Policy: outbox.Policy{Batch: 4}})
		wg.Go(func() {
			for {
				n, err := r.RunOnce(context.Background())
				if err != nil || n == 0 {
					errs <- err
					return
				}
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
	if len(handled) != jobs {
		t.Errorf("%d jobs handled, want %d", len(handled), jobs)
	}
	for p, n := range handled {
		if n != 1 {
			t.Errorf("job %s handled %d times", p, n)
		}
	}
	stats, err := q.JobStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats["test"]["done"] != jobs {
		t.Errorf("stats %v, want %d done", stats, jobs)
	}
}

// TestRunWakesAndStops: a runner whose poll is an hour handles a job
// queued while it waits as soon as the store's commit rings its bell, and
// Run returns nil when its context ends.
func TestRunWakesAndStops(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	bell := &outbox.Bell{}
	q.Subscribe(func(c sqlite.Changes) { bell.Ring(c.JobQueues...) })
	done := make(chan string, 10)
	r := MustRunner(t, outbox.Config{Store: q, Now: clk.Now, Bell: bell, Policy: outbox.Policy{Poll: time.Hour},
		Handler: outbox.HandlerFunc(func(_ context.Context, j booking.QueuedJob) error {
			done <- j.Kind
			return nil
		})})
	q.MustEnqueue(t, "before", 1) // proves the first pass ran
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- r.Run(ctx) }()
	for _, want := range []string{"before", "woken"} {
		select {
		case got := <-done:
			if got != want {
				t.Fatalf("handled %s, want %s", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("job %s not handled (the poll is an hour)", want)
		}
		if want == "before" {
			q.MustEnqueue(t, "woken", 1)
		}
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Errorf("Run returned %v", err)
	}
}

// TestShutdown: a job interrupted by the shutdown is not counted as failed
// (it stays leased for the next start to release); one that finished as
// the shutdown came is recorded done all the same; no further job starts.
func TestShutdown(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "x", 3)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	r := MustRunner(t, outbox.Config{Store: q, Now: clk.Now,
		Handler: outbox.HandlerFunc(func(ctx context.Context, j booking.QueuedJob) error {
			switch calls.Add(1) {
			case 1:
				cancel() // delivered, then the shutdown comes
				return nil
			default:
				return ctx.Err()
			}
		})})
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d jobs started, want only the first: the others wait for the next start", n)
	}
	rows := q.rows(t)
	if rows[0].state != "done" {
		t.Errorf("the job finished at the shutdown is %s, want done", rows[0].state)
	}
	for _, r := range rows[1:] {
		if r.state != "pending" || r.lastError != "" || !r.leased {
			t.Errorf("job not started = %+v, want pending, leased, no error", r)
		}
	}
}

// safeHandler's errors hold an address that must not reach the log.
type safeHandler struct{}

func (safeHandler) Handle(context.Context, booking.QueuedJob) error {
	return outbox.Permanent(errors.New("550 5.1.1 <zoe@example.org>: no such user"))
}

func (safeHandler) SafeError(error) string { return "SMTP 550 5.1.1" }

// TestLogging: every outcome is one line with the queue, job, kind,
// attempt, and for failures the error as the handler lets it be shown;
// the job keeps the full text for staff.
func TestLogging(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "confirmation", 1)
	var buf bytes.Buffer
	r := MustRunner(t, outbox.Config{Store: q, Now: clk.Now, Handler: safeHandler{},
		Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	runOnce(t, r)
	log := buf.String()
	for _, want := range []string{"job failed; left for staff", "queue=test", "job=1", "kind=confirmation", "attempt=1", `err="SMTP 550 5.1.1"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
	if strings.Contains(log, "zoe@") {
		t.Errorf("the log shows the address: %q", log)
	}
	if got := q.rows(t)[0].lastError; !strings.Contains(got, "zoe@example.org") {
		t.Errorf("the job keeps %q, want the server's full reply for staff", got)
	}
}

// errStore fails every claim.
type errStore struct{ booking.JobQueue }

func (errStore) ClaimJobs(context.Context, string, time.Time, int, time.Duration) ([]booking.QueuedJob, error) {
	return nil, errors.New("database is locked")
}

func TestQueueErrorReported(t *testing.T) {
	r := MustRunner(t, outbox.Config{Store: errStore{}, Handler: safeHandler{}})
	if _, err := r.RunOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("RunOnce = %v, want the store's error", err)
	}
	if _, err := outbox.New(outbox.Config{Queue: "test", Store: errStore{}}); err == nil {
		t.Error("a runner without a handler was made")
	}
}

// gatedStore is a real queue whose CompleteJob, for the jobs in hold,
// waits until its gate is closed before recording, and which counts the
// records finished.
type gatedStore struct {
	booking.JobQueue
	hold     map[int64]bool
	gate     chan struct{}
	finished atomic.Int32
	fail     int64 // CompleteJob of this job fails (0: none)
}

func (s *gatedStore) CompleteJob(ctx context.Context, id int64) error {
	if s.hold[id] {
		select {
		case <-s.gate:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("job %d: the gate was not opened: its record held the runner back", id)
		}
	}
	if id == s.fail {
		return errors.New("disk I/O error")
	}
	err := s.JobQueue.CompleteJob(ctx, id)
	s.finished.Add(1)
	return err
}

// TestRecordErrorsReported: a record that fails is returned by RunOnce,
// and the other jobs' records are made all the same.
func TestRecordErrorsReported(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "x", 3)
	s := &gatedStore{JobQueue: q, fail: 2}
	r := MustRunner(t, outbox.Config{Store: s, Now: clk.Now,
		Handler: outbox.HandlerFunc(func(context.Context, booking.QueuedJob) error { return nil })})
	n, err := r.RunOnce(context.Background())
	if n != 3 || err == nil || !strings.Contains(err.Error(), "complete test job 2: disk I/O error") {
		t.Fatalf("RunOnce = %d, %v; want 3 jobs and the error of job 2's record", n, err)
	}
	want := []string{"done", "pending", "done"}
	for i, row := range q.rows(t) {
		if row.state != want[i] {
			t.Errorf("job %d is %s, want %s", i+1, row.state, want[i])
		}
	}
}

// orderHandler fails job 1 for good at its only attempt and, when job 2
// runs, notes what it sees of job 1's give-up.
type orderHandler struct {
	tb     testing.TB
	q      *queue
	mu     sync.Mutex
	gaveUp []int64
	seen   string
}

func (h *orderHandler) Handle(_ context.Context, j booking.QueuedJob) error {
	if j.ID == 1 {
		return errors.New("451 try again later")
	}
	h.mu.Lock()
	told := slices.Contains(h.gaveUp, 1)
	h.mu.Unlock()
	h.seen = fmt.Sprintf("told %v, job 1 %s", told, h.q.rows(h.tb)[0].state)
	return nil
}

func (h *orderHandler) GaveUp(_ context.Context, j booking.QueuedJob, _ error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gaveUp = append(h.gaveUp, j.ID)
	return nil
}

// TestGiveUpBeforeTheNextJob: giving up on a job (telling the handler,
// which may mark its booking, and failing the job) is done before the next
// job of the claim starts, which may be of the same booking.
func TestGiveUpBeforeTheNextJob(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "x", 2)
	h := &orderHandler{tb: t, q: q}
	r := MustRunner(t, outbox.Config{Store: q, Handler: h, Now: clk.Now, Policy: outbox.Policy{MaxAttempts: 1}})
	if n := runOnce(t, r); n != 2 {
		t.Fatalf("claimed %d jobs, want 2", n)
	}
	if want := "told true, job 1 failed"; h.seen != want {
		t.Errorf("job 2 started with %q, want %q", h.seen, want)
	}
}

// prepHandler notes each Prepare (the ids given, and how many jobs had
// been handled by then) and each Handle.
type prepHandler struct {
	mu       sync.Mutex
	prepared []string
	handled  []int64
}

func (h *prepHandler) Prepare(_ context.Context, jobs []booking.QueuedJob) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	h.prepared = append(h.prepared, fmt.Sprintf("%v after %d handled", ids, len(h.handled)))
}

func (h *prepHandler) Handle(_ context.Context, j booking.QueuedJob) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handled = append(h.handled, j.ID)
	return nil
}

// TestPrepareEachClaim: a Preparer is given each claim's jobs together,
// once, before the first of them runs; an empty claim prepares nothing.
func TestPrepareEachClaim(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "x", 3)
	h := &prepHandler{}
	r := MustRunner(t, outbox.Config{Store: q, Handler: h, Now: clk.Now, Policy: outbox.Policy{Batch: 2}})
	for range 3 {
		runOnce(t, r)
	}
	if got, want := fmt.Sprint(h.prepared), "[[1 2] after 0 handled [3] after 2 handled]"; got != want {
		t.Errorf("prepared %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(h.handled), "[1 2 3]"; got != want {
		t.Errorf("handled %s, want %s", got, want)
	}
}

// backgroundStore is a real queue that notes whether each claim and
// record came with a context marked as background work.
type backgroundStore struct {
	*queue
	mu    sync.Mutex
	calls map[string]string // name → how its calls were marked, if all alike
}

func (s *backgroundStore) note(ctx context.Context, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mark := "request"
	switch {
	case booking.IsBackground(ctx):
		mark = "background"
	case booking.IsJobWork(ctx):
		mark = "job work"
	}
	if prev, ok := s.calls[name]; ok && prev != mark {
		mark = "mixed"
	}
	s.calls[name] = mark
}

func (s *backgroundStore) ClaimJobs(ctx context.Context, queue string, now time.Time, limit int, lease time.Duration) ([]booking.QueuedJob, error) {
	s.note(ctx, "claim")
	return s.queue.ClaimJobs(ctx, queue, now, limit, lease)
}

func (s *backgroundStore) CompleteJob(ctx context.Context, id int64) error {
	s.note(ctx, "complete")
	return s.queue.CompleteJob(ctx, id)
}

// TestRunnerClaimsInTheBackground: a runner's claims run with contexts
// marked as background work, which a store's one writer lets requests'
// writes go before (sqlite's group commit); the jobs and their outcomes
// as job work, which is neither held back nor taken for a request's.
func TestRunnerClaimsInTheBackground(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "ok", 3)
	s := &backgroundStore{queue: q, calls: map[string]string{}}
	h := outbox.HandlerFunc(func(ctx context.Context, j booking.QueuedJob) error {
		s.note(ctx, "handle")
		return nil
	})
	r := MustRunner(t, outbox.Config{Store: s, Handler: h, Now: clk.Now})
	if n, err := r.RunOnce(context.Background()); n != 3 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	for name, want := range map[string]string{"claim": "background", "handle": "job work", "complete": "job work"} {
		if got := s.calls[name]; got != want {
			t.Errorf("%s: marked %q, want %q", name, got, want)
		}
	}
}

// TestRecordedBeforeTheNextJob: a job's outcome is in the store before the
// next job of its claim starts, so that a crash in that job's work (a mail
// server that never answers) leaves no earlier message to send again.
func TestRecordedBeforeTheNextJob(t *testing.T) {
	clk := &clock{t: t0}
	q := MustOpenQueue(t, clk)
	q.MustEnqueue(t, "x", 3)
	var seen []string
	h := outbox.HandlerFunc(func(_ context.Context, j booking.QueuedJob) error {
		var states []string
		for _, row := range q.rows(t)[:j.ID-1] {
			states = append(states, row.state)
		}
		seen = append(seen, fmt.Sprint(states))
		return nil
	})
	r := MustRunner(t, outbox.Config{Store: q, Handler: h, Now: clk.Now})
	if n := runOnce(t, r); n != 3 {
		t.Fatalf("claimed %d jobs, want 3", n)
	}
	if want := []string{"[]", "[done]", "[done done]"}; !slices.Equal(seen, want) {
		t.Errorf("the jobs before each saw %v, want %v", seen, want)
	}
}
