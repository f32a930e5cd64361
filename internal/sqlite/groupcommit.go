package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Group commit. Every write transaction ends with a COMMIT that waits for
// the disk (synchronous=FULL), and while it waits the one write connection
// can do nothing else: the writes that arrive meanwhile queue behind it. So
// one goroutine of the DB, the writer, runs the writes, and gathers into
// one transaction every write that is waiting when it begins one and that
// arrives while it runs: each caller's fn runs in its own SAVEPOINT
// (released when fn returns nil, rolled back to and released when it fails,
// so one caller's refusal changes nothing of the others'), then one COMMIT
// makes them all durable at once, then each caller is told of its own
// outcome. A write that finds the writer idle starts a transaction at once
// and commits as soon as nobody else is waiting: no write waits for
// company.
//
// What each caller sees is what it saw with a transaction of its own:
//   - fn runs on the writer's goroutine while its caller waits (handing each
//     call to its caller's goroutine and back made the two goroutines run
//     in turn on one core, holding up the readers queued behind them, and
//     cost the mixed load its tail latency), with a Tx of its own: its own time
//     (Tx.Now: DB.Now when fn starts, or the caller's at), its own record of
//     what it changed (the pre-update hook fills the record of the fn
//     running), its own prerendered jobs. Calls run one at a time, in the
//     order they came, each seeing what the earlier ones wrote, as if each
//     had committed before the next began. The caches, which hold committed
//     data only, do not show the earlier callers' writes yet: Tx.earlier
//     says what they changed (fullCatalog reads the catalogue from the
//     transaction when an earlier caller changed it).
//   - a caller whose fn returned nil gets nil only after the COMMIT
//     succeeded; if the COMMIT fails, or the transaction is lost (a
//     ROLLBACK TO or a RELEASE that fails: SQLite rolled the whole
//     transaction back, as it may on a full disk or an I/O error), every
//     caller of the group gets an error (EUNAVAILABLE for busy, full and I/O
//     errors, as before).
//   - what each committed fn changed is published to the subscribers after
//     the COMMIT, in order, before any caller of the group is answered and
//     before the next transaction begins.
//   - a caller not taken within the busy timeout gives up as
//     booking.EUNAVAILABLE with nothing changed; one whose context ends
//     before its fn starts gives up with the context's error. A context
//     that ends while fn runs does not interrupt a statement (stmtContext:
//     an interrupted write may roll back the whole transaction, the others'
//     writes with it); the writer rolls back what fn wrote when it returns
//     and the caller gets the context's error. The group's transaction
//     itself runs on the writer's context, never a caller's.
//   - a panic in fn is recovered by the writer, which rolls back what fn
//     wrote, goes on with the others, and has the caller panic again with
//     the same value on its own goroutine. A runtime.Goexit in fn (a test's
//     t.FailNow) cannot be stopped: the group fails, nothing of it is
//     committed, and a new writer goroutine takes over.
//
// A group is bounded (groupMaxCallers, groupMaxTime), so that the first
// caller of a long run of writes is answered in good time.
const (
	// groupMaxCallers is the most calls one transaction holds.
	groupMaxCallers = 64
	// groupMaxTime is how long a transaction takes in more calls: once it
	// has run this long, the calls already in it are committed and the
	// next ones wait for the next transaction.
	groupMaxTime = 5 * time.Millisecond
)

// errClosed is the error of a write on a closed DB.
var errClosed = errors.New("sqlite: database is closed")

// Request states: queued, then taken by the writer (started) or given up by
// its caller (withdrawn), whichever comes first.
const (
	reqQueued int32 = iota
	reqStarted
	reqWithdrawn
)

// writeReq is one call of inTx, from its caller to the writer.
type writeReq struct {
	ctx   context.Context
	at    time.Time // the transaction's time; zero: DB.Now when fn starts
	alone bool      // in a transaction of its own (inTxAlone)
	// background marks a job runner's write (booking.Background), which
	// gives way to the others for a while (take); queued is when it was
	// queued.
	background bool
	queued     time.Time
	state      atomic.Int32
	fn         func(tx *Tx) error
	// answer is the call's outcome, from the writer.
	answer chan outcome
}

// outcome is what the writer answers a caller.
type outcome struct {
	err error
	// panicked: fn, or a subscriber told of this caller's commit, panicked
	// with p; the caller panics with it again.
	panicked bool
	p        any
}

// writer is the DB's queue of writes and the state of its goroutine.
type writer struct {
	mu      sync.Mutex
	queue   []*writeReq
	closed  bool
	wake    chan struct{} // capacity 1: a write is queued
	stopped chan struct{} // closed when the goroutine has returned

	// commits counts the transactions committed and committedCalls the
	// calls they held; waited is the time calls waited for their turn, in
	// nanoseconds, and gaveUp the calls that gave up waiting past the busy
	// timeout (WriterStats).
	commits, committedCalls, waited, gaveUp atomic.Int64
	// maxCalls and maxTime replace groupMaxCallers and groupMaxTime when
	// set (tests); onQueued, when set, is called with the queue's length
	// each time a write is queued (tests).
	maxCalls atomic.Int64
	maxTime  atomic.Int64
	// lastRequest is when the last write of a request (not a job
	// runner's, booking.IsJobWork) was queued (take); busyTimeout is the
	// DB's (backgroundWait).
	lastRequest time.Time
	busyTimeout time.Duration
	// maxBackgroundWait and quiet replace backgroundWait and
	// backgroundQuiet when set (tests).
	maxBackgroundWait, quiet atomic.Int64
	onQueued                 func(n int)
}

// startWriter starts the writer's goroutine; openDB calls it once.
func (db *DB) startWriter() {
	db.w.wake = make(chan struct{}, 1)
	db.w.busyTimeout = db.busyTimeout
	db.w.stopped = make(chan struct{})
	go db.writeLoop()
}

// runWrite runs fn for r's caller (inTx, inTxAt, inTxAlone).
func (db *DB) runWrite(ctx context.Context, r *writeReq, fn func(tx *Tx) error) (err error) {
	defer func() { err = unavailable(err) }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write connection: %w", err)
	}
	r.fn, r.answer = fn, make(chan outcome, 1)
	if err := db.w.enqueue(r); err != nil {
		return err
	}
	o, err := db.await(ctx, r)
	if err != nil {
		return err
	}
	if o.panicked {
		panic(o.p)
	}
	return o.err
}

// await waits for r's outcome. A caller not taken by the writer within the
// busy timeout gives up: writes queue here, in the process, rather than at
// the file lock, and without a bound a queue behind a long-held
// transaction would keep every request waiting in turn. So does one whose
// context ends first. Either gets an error, with nothing changed. Once
// taken, the call is waited for to its end: its outcome is the COMMIT's.
func (db *DB) await(ctx context.Context, r *writeReq) (outcome, error) {
	began := time.Now()
	defer func() { db.w.waited.Add(int64(time.Since(began))) }()
	timer := time.NewTimer(db.busyTimeout)
	defer timer.Stop()
	select {
	case o := <-r.answer:
		return o, nil
	case <-timer.C:
		if r.state.CompareAndSwap(reqQueued, reqWithdrawn) {
			db.w.gaveUp.Add(1)
			return outcome{}, booking.ErrUnavailable(fmt.Errorf("write connection still in use after %s: %w", db.busyTimeout, context.DeadlineExceeded))
		}
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqWithdrawn) {
			return outcome{}, fmt.Errorf("write connection: %w", ctx.Err())
		}
	}
	// The writer took it meanwhile.
	return <-r.answer, nil
}

// callFn runs fn, recovering a panic (panicked, with its value p). A
// runtime.Goexit in fn goes on (runGroup's deferred end fails the group).
func callFn(tx *Tx, fn func(tx *Tx) error) (p any, panicked bool, err error) {
	returned := false
	defer func() {
		if !returned {
			p, panicked = recover(), true
		}
	}()
	err = fn(tx)
	returned = true
	return nil, false, err
}

// enqueue queues r for the writer.
func (w *writer) enqueue(r *writeReq) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errClosed
	}
	r.background, r.queued = booking.IsBackground(r.ctx), time.Now()
	if !booking.IsJobWork(r.ctx) {
		w.lastRequest = r.queued // a request's write
	}
	w.queue = append(w.queue, r)
	n, hook := len(w.queue), w.onQueued
	w.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return nil
}

// A job runner's claim (booking.Background) gives way to the writes of
// requests, which wait for an answer (the runners' other writes,
// booking.JobWork, neither wait nor count as requests'): while bookings
// keep the one writer busy (a burst of them), the claims wait for a
// moment without a request's write queued or arriving (backgroundQuiet),
// and the e-mails the bookings queued go out once the burst is over,
// rather than slowing it down. A claim waits backgroundWait at most (a
// tenth of the busy timeout, after which a queued write gives up, if that
// is less): the e-mails of a long burst still go, a claim of ten every few
// such waits.
const (
	maxBackgroundWait = 100 * time.Millisecond
	backgroundQuiet   = 10 * time.Millisecond
)

// take returns the first queued request that may run and marks it
// started, dropping those whose callers gave up; nil when none may run,
// or when the one to run must run alone and inGroup is set (it then stays
// queued). A request's write may always run; a background write only
// after backgroundQuiet without a request's write queued, or once it has
// waited backgroundWait.
func (w *writer) take(inGroup bool) *writeReq {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	for i := 0; i < len(w.queue); {
		r := w.queue[i]
		if r.state.Load() != reqQueued {
			w.queue = slices.Delete(w.queue, i, i+1) // its caller gave up
			continue
		}
		if r.background && w.holdBack(r, now) {
			i++
			continue
		}
		if r.alone && inGroup {
			return nil
		}
		w.queue = slices.Delete(w.queue, i, i+1)
		if r.state.CompareAndSwap(reqQueued, reqStarted) {
			return r
		}
	}
	return nil
}

// holdBack reports whether the background write r must still give way
// at now (take); w.mu is held.
func (w *writer) holdBack(r *writeReq, now time.Time) bool {
	return now.Sub(r.queued) < w.backgroundWait() && now.Sub(w.lastRequest) < w.backgroundQuiet()
}

// heldUntil is when the first background write of the queue may run, or
// the zero time when the queue holds none or holds a request's write
// (which may run).
func (w *writer) heldUntil() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	var until time.Time
	for _, r := range w.queue {
		if r.state.Load() != reqQueued {
			continue // its caller gave up: take drops it
		}
		if !r.background {
			return time.Time{}
		}
		t := r.queued.Add(w.backgroundWait())
		if q := w.lastRequest.Add(w.backgroundQuiet()); q.Before(t) {
			t = q
		}
		if until.IsZero() || t.Before(until) {
			until = t
		}
	}
	return until
}

// backgroundWait and backgroundQuiet are the constants, or the tests'.
func (w *writer) backgroundWait() time.Duration {
	if d := w.maxBackgroundWait.Load(); d > 0 {
		return time.Duration(d)
	}
	return min(maxBackgroundWait, w.busyTimeout/10)
}

func (w *writer) backgroundQuiet() time.Duration {
	if d := w.quiet.Load(); d > 0 {
		return time.Duration(d)
	}
	return backgroundQuiet
}

// next waits for the next request that may run; nil once the DB is
// closed.
func (w *writer) next() *writeReq {
	for {
		if r := w.take(false); r != nil {
			return r
		}
		w.mu.Lock()
		closed := w.closed
		w.mu.Unlock()
		if closed {
			return nil
		}
		until := w.heldUntil()
		if until.IsZero() {
			<-w.wake
			continue
		}
		// Only background writes, giving way: until the first may run,
		// or a new write comes.
		t := time.NewTimer(max(time.Until(until), 100*time.Microsecond))
		select {
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// close stops the writer: queued calls fail with errClosed, the group
// running finishes, and close returns once the goroutine has.
func (w *writer) close() {
	w.mu.Lock()
	if w.stopped == nil { // never started
		w.closed = true
		w.mu.Unlock()
		return
	}
	w.closed = true
	queued := w.queue
	w.queue = nil
	w.mu.Unlock()
	for _, r := range queued {
		if r.state.CompareAndSwap(reqQueued, reqStarted) {
			r.answer <- outcome{err: errClosed}
		}
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.stopped
}

// writeLoop is the writer's goroutine: one group after another. Should a
// call's fn end the goroutine (runtime.Goexit), a new one takes over.
func (db *DB) writeLoop() {
	stopped := false
	defer func() {
		if stopped {
			close(db.w.stopped)
		} else {
			go db.writeLoop()
		}
	}()
	for {
		first := db.w.next()
		if first == nil {
			stopped = true
			return
		}
		db.runGroup(first)
	}
}

// member is one call of a group.
type member struct {
	r  *writeReq
	tx *Tx
	// ok: fn returned nil and its savepoint was released: it commits with
	// the group. Else err is its outcome, or fn panicked with p.
	ok       bool
	err      error
	panicked bool
	p        any
}

// group is one write transaction and the calls it holds.
type group struct {
	members []member
	// changed is what the members so far changed, rolled back or not
	// (Tx.earlier of the next one).
	changed Changes
	start   time.Time
	alone   bool
	// lost is set when the transaction is gone (rolled back by SQLite):
	// nothing of the group commits.
	lost error
	// rolledBack is set when the first call failed: the transaction,
	// which held only that call, is rolled back and the group ends.
	rolledBack bool
	// running is the call whose fn runs.
	running *writeReq
}

// runGroup runs one write transaction: first's call and those that are
// queued or come while it runs, within the group's bounds; then the COMMIT,
// the subscribers, and the answers. Should a call's fn end the goroutine
// (runtime.Goexit), the transaction is rolled back (runTx's deferred
// Rollback) and every call of the group fails.
func (db *DB) runGroup(first *writeReq) {
	g := &group{alone: first.alone}
	returned := false
	defer func() {
		if returned {
			return
		}
		g.lost = booking.ErrUnavailable(errors.New("a write ended the writer's goroutine"))
		if g.running != nil {
			g.members = append(g.members, member{r: g.running})
		}
		db.answer(g, nil)
	}()
	db.runTx(first, g)
	returned = true
}

// runTx is runGroup's transaction.
func (db *DB) runTx(first *writeReq, g *group) {
	conn, err := db.writerConn()
	if err != nil {
		db.refuse(first, err)
		return
	}
	defer conn.Close() // back to the pool, after the deferred Rollback below
	if err := db.hookWriter(conn); err != nil {
		db.refuse(first, err)
		return
	}
	// The writer's own context: no caller's end may roll the group back
	// (database/sql rolls a Tx back when the context of BeginTx ends).
	stx, err := conn.BeginTx(context.Background(), nil)
	if err != nil {
		db.refuse(first, fmt.Errorf("begin: %w", err))
		return
	}
	defer stx.Rollback() // nothing once committed
	db.txRolledBack.Store(false)
	g.start = time.Now()
	for r := first; r != nil; r = db.nextMember(g) {
		if !db.runMember(stx, g, r) {
			break
		}
	}
	if g.lost != nil || g.rolledBack {
		stx.Rollback()
		db.answer(g, nil)
		return
	}
	if err := stx.Commit(); err != nil {
		// The driver has rolled back what remained of the transaction.
		db.answer(g, fmt.Errorf("commit: %w", err))
		return
	}
	db.w.commits.Add(1)
	db.answer(g, nil)
}

// refuse answers r, which never ran, with err.
func (db *DB) refuse(r *writeReq, err error) { r.answer <- outcome{err: err} }

// nextMember takes the next call into g, or returns nil when g is full,
// has run its time, or nobody is waiting.
func (db *DB) nextMember(g *group) *writeReq {
	maxCalls, maxTime := int64(groupMaxCallers), groupMaxTime
	if n := db.w.maxCalls.Load(); n > 0 {
		maxCalls = n
	}
	if d := db.w.maxTime.Load(); d > 0 {
		maxTime = time.Duration(d)
	}
	if g.alone || int64(len(g.members)) >= maxCalls || time.Since(g.start) >= maxTime {
		return nil
	}
	return db.w.take(true)
}

// savepoint is the name of each call's savepoint.
const savepoint = "call"

// runMember runs r's fn in the group's transaction stx: in a savepoint of
// its own, unless it is the first call of the transaction (a failure then
// rolls the whole transaction back, and the group ends with it). It
// returns false when the group must stop: the transaction is lost
// (g.lost) or rolled back (g.rolledBack).
func (db *DB) runMember(stx *sql.Tx, g *group, r *writeReq) bool {
	if err := r.ctx.Err(); err != nil {
		db.refuse(r, fmt.Errorf("write connection: %w", err)) // gave up before its fn started
		return true
	}
	ctx := context.Background()
	first := len(g.members) == 0
	if !first {
		if _, err := stx.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
			g.lost = booking.ErrUnavailable(fmt.Errorf("savepoint: %w", err))
			g.members = append(g.members, member{r: r})
			return false
		}
	}
	at := r.at
	if at.IsZero() {
		at = db.now()
	}
	tx := &Tx{tx: stx, db: db, now: at.UTC().Truncate(timePrecision), earlier: &g.changed}
	db.current, g.running = &tx.changes, r
	p, panicked, err := callFn(tx, r.fn)
	db.current, g.running = nil, nil
	g.changed.merge(&tx.changes)
	m := member{r: r, tx: tx, err: err, panicked: panicked, p: p}
	if !panicked && err == nil && r.ctx.Err() != nil {
		m.err = fmt.Errorf("write: %w", r.ctx.Err()) // the caller gave up while fn ran: undone
	}
	failed := panicked || m.err != nil
	switch {
	case db.txRolledBack.Load():
		// SQLite rolled the transaction back during fn (a full disk, an
		// I/O error): nothing of the group is left to commit.
		g.lost = booking.ErrUnavailable(errors.New("the write transaction was rolled back by a failed write"))
		if !failed {
			m.err = g.lost
		}
	case failed && first:
		g.rolledBack = true // the runGroup's Rollback undoes it
	case failed:
		if err := rollbackTo(stx); err != nil {
			g.lost = booking.ErrUnavailable(fmt.Errorf("the write transaction was lost with a failed write: %w", err))
		}
	case !first:
		if _, err := stx.ExecContext(ctx, "RELEASE "+savepoint); err != nil {
			g.lost = booking.ErrUnavailable(fmt.Errorf("release: %w", err))
			m.err = g.lost
			break
		}
		m.ok = true
	default:
		m.ok = true
	}
	g.members = append(g.members, m)
	return g.lost == nil && !g.rolledBack
}

// rollbackTo undoes what the call in the savepoint wrote. It fails when
// the transaction is gone: SQLite has rolled it back whole (as it may on a
// full disk, an I/O error or an interrupted statement).
func rollbackTo(stx *sql.Tx) error {
	ctx := context.Background()
	if _, err := stx.ExecContext(ctx, "ROLLBACK TO "+savepoint); err != nil {
		return fmt.Errorf("rollback to savepoint: %w", err)
	}
	if _, err := stx.ExecContext(ctx, "RELEASE "+savepoint); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// answer publishes what the group's committed calls changed and answers
// every call of g. commitErr is the COMMIT's error: every call fails with
// it, and the subscribers are told that what the committed calls record
// may or may not have happened (Changes.CommitFailed). A lost transaction
// (g.lost) fails every call too; its own error stays the outcome of the
// call that failed.
func (db *DB) answer(g *group, commitErr error) {
	outs := make([]outcome, len(g.members))
	for i := range g.members {
		m := &g.members[i]
		if !m.ok || g.lost != nil || m.tx.changes.Empty() {
			continue
		}
		m.tx.changes.CommitFailed = commitErr != nil
		outs[i].p, outs[i].panicked = db.publishCaught(m.tx.changes)
	}
	for i := range g.members {
		m := &g.members[i]
		o := &outs[i]
		switch {
		case m.panicked:
			o.panicked, o.p = true, m.p
		case g.lost != nil && m.err != nil:
			o.err = m.err
		case g.lost != nil:
			o.err = g.lost
		case commitErr != nil:
			o.err = commitErr
		case !m.ok:
			o.err = m.err
		default:
			db.w.committedCalls.Add(1)
		}
		m.r.answer <- *o
	}
}

// publishCaught is publish, with a subscriber's panic caught: it is
// raised again on the goroutine of the call whose commit it was told of.
func (db *DB) publishCaught(c Changes) (p any, panicked bool) {
	panicked = true
	defer func() {
		if panicked {
			p = recover()
		}
	}()
	db.publish(c)
	panicked = false
	return nil, false
}

// merge adds what c records to what m records.
func (m *Changes) merge(c *Changes) {
	for _, t := range c.Tables {
		if !slices.Contains(m.Tables, t) {
			m.Tables = append(m.Tables, t)
		}
	}
	m.Catalog = m.Catalog || c.Catalog
	for _, d := range c.BookingDays {
		if !slices.ContainsFunc(m.BookingDays, d.Equal) {
			m.BookingDays = append(m.BookingDays, d)
		}
	}
	for _, id := range c.BookingIDs {
		if !slices.Contains(m.BookingIDs, id) {
			m.BookingIDs = append(m.BookingIDs, id)
		}
	}
	m.AllBookings = m.AllBookings || c.AllBookings
	m.JobsQueued += c.JobsQueued
	for _, q := range c.JobQueues {
		if !slices.Contains(m.JobQueues, q) {
			m.JobQueues = append(m.JobQueues, q)
		}
	}
}

// writerConn takes the one write connection, which only the writer uses
// once the database is open, waiting for it at most the busy timeout (a
// test may hold it).
func (db *DB) writerConn() (*sql.Conn, error) {
	wait, cancel := context.WithTimeout(context.Background(), db.busyTimeout)
	defer cancel()
	conn, err := db.write.Conn(wait)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, booking.ErrUnavailable(fmt.Errorf("write connection still in use after %s: %w", db.busyTimeout, err))
	}
	if err != nil {
		return nil, fmt.Errorf("write connection: %w", err)
	}
	return conn, nil
}

// WriterStats are the figures of the writer (group commit) so far, for the
// metrics.
type WriterStats struct {
	// Transactions counts the write transactions committed, and Calls the
	// writes they held (Calls / Transactions: the writes a COMMIT served).
	Transactions, Calls int64
	// Queued is how many writes wait for the writer just now.
	Queued int
	// Wait is the time writes have waited for their turn, in all; GaveUp
	// counts those that gave up past the busy timeout (EUNAVAILABLE).
	Wait   time.Duration
	GaveUp int64
}

// WriterStats returns the writer's figures so far.
func (db *DB) WriterStats() WriterStats {
	s := WriterStats{
		Transactions: db.w.commits.Load(), Calls: db.w.committedCalls.Load(),
		Wait: time.Duration(db.w.waited.Load()), GaveUp: db.w.gaveUp.Load(),
	}
	db.w.mu.Lock()
	for _, r := range db.w.queue {
		if r.state.Load() == reqQueued {
			s.Queued++
		}
	}
	db.w.mu.Unlock()
	return s
}
