package sqlite_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	msqlite "modernc.org/sqlite"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// cancelInStatement is called by the SQL function gc_cancel(x, n) when x
// equals n: a test cancels a caller's context from inside one of its
// statements, while the statement runs.
var cancelInStatement atomic.Pointer[context.CancelFunc]

func init() {
	msqlite.MustRegisterScalarFunction("gc_cancel", 2, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if args[0] == args[1] {
			if c := cancelInStatement.Load(); c != nil {
				(*c)()
			}
		}
		return args[0], nil
	})
}

// gate holds the writer inside one call (the gate's own, empty) while
// others queue behind it; once opened, the writer gathers every queued
// call into the gate's transaction (the group's time bound is lifted, so
// only the number of calls bounds it).
type gate struct {
	queued  chan int
	release chan struct{}
	done    chan error
}

// holdWriter closes a gate on db's writer.
func holdWriter(tb testing.TB, db *sqlite.Store) *gate {
	tb.Helper()
	return holdWriterThen(tb, db, func(*sqlite.Tx) error { return nil })
}

// holdWriterThen is holdWriter whose call runs then once the gate opens.
func holdWriterThen(tb testing.TB, db *sqlite.Store, then func(tx *sqlite.Tx) error) *gate {
	tb.Helper()
	g := &gate{queued: make(chan int, 1000), release: make(chan struct{}), done: make(chan error, 1)}
	db.SetGroupBounds(0, time.Hour)
	db.SetQueuedHook(func(n int) {
		select {
		case g.queued <- n:
		default:
		}
	})
	tb.Cleanup(func() { db.SetQueuedHook(nil); db.SetGroupBounds(0, 0) })
	entered := make(chan struct{})
	go func() {
		g.done <- db.InTx(context.Background(), func(tx *sqlite.Tx) error {
			close(entered)
			<-g.release
			return then(tx)
		})
	}()
	<-entered
	<-g.queued // the gate's own call
	return g
}

// start runs write on a goroutine of its own and returns once the call is
// queued behind the gate (or has returned without queueing).
func (g *gate) start(write func() error) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- write() }()
	select {
	case <-g.queued:
		return errc
	case err := <-errc:
		again := make(chan error, 1)
		again <- err
		return again
	}
}

// open lets the writer go on and returns the gate's call's outcome.
func (g *gate) open() error {
	close(g.release)
	return <-g.done
}

// bookingAt is a booking of ana or ben (by i), two hours after the one
// before it.
func bookingAt(i int, prefix string) req {
	return req{ID: fmt.Sprintf("%s%02d", prefix, i), Artisan: []string{"ana", "ben"}[i%2],
		Start: at(10, 0).Add(time.Duration(i/2) * 2 * time.Hour)}
}

// TestGroupCommitGathersWaitingWrites: the bookings that wait while a
// transaction runs are committed together, in one transaction, and every
// one answered nil is stored with its jobs and audit row; a double booking
// among them is refused by the overlap trigger and leaves nothing.
func TestGroupCommitGathersWaitingWrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	txs0, calls0 := db.Commits()
	g := holdWriter(t, db)
	const n = 24
	var errs []<-chan error
	for i := range n {
		nb := newBooking(bookingAt(i, "bk_g"))
		errs = append(errs, g.start(func() error { _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); return err }))
	}
	// ana at 10:00 again, with the placement check blind to the first: the
	// database's trigger refuses it.
	dup := newBooking(req{ID: "bk_dup", Artisan: "ana", Start: at(10, 0)})
	blind := func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{ArtisanID: "ana"}, nil }
	dupErr := g.start(func() error { _, _, err := db.CreateBooking(ctx, dup, blind); return err })
	mustNoErr(t, g.open())

	for i, errc := range errs {
		if err := <-errc; err != nil {
			t.Errorf("booking %d: %v", i, err)
		}
	}
	wantCode(t, <-dupErr, booking.ECONFLICT, booking.CodeSlotUnavailable)
	txs, calls := db.Commits()
	if txs-txs0 != 1 || calls-calls0 != n+1 {
		t.Errorf("%d transactions committed %d calls, want 1 for %d (the gate's and the bookings)", txs-txs0, calls-calls0, n+1)
	}
	for i := range n {
		if got, want := tracesOf(t, db, bookingAt(i, "bk_g").ID), (traces{1, 1, 1}); got != want {
			t.Errorf("booking %d: %+v, want %+v", i, got, want)
		}
	}
	if got := tracesOf(t, db, "bk_dup"); got != (traces{}) {
		t.Errorf("the refused double booking left %+v", got)
	}
	if got := count(t, db, `SELECT count(*) FROM bookings WHERE artisan_id = 'ana' AND start_at = ?`, fmtMillis(at(10, 0))); got != 1 {
		t.Errorf("%d bookings of ana at 10:00, want 1", got)
	}
}

// TestGroupCommitUnderLoad: many writers at once, with no gate: every
// booking answered nil is stored, every contended slot has one booking,
// and the writes take fewer transactions than calls when they overlap.
func TestGroupCommitUnderLoad(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	txs0, calls0 := db.Commits()
	const writers, each = 16, 12
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		booked []string
		lost   int
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				// Writers w and w^1 want the same slots: one of each pair gets it.
				r := bookingAt(i, fmt.Sprintf("bk_w%02d_", w))
				r.Start = r.Start.AddDate(0, 0, w/2)
				nb := newBooking(r)
				_, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
				mu.Lock()
				switch {
				case err == nil:
					booked = append(booked, r.ID)
				case booking.ErrorCode(err) == booking.CodeSlotUnavailable:
					lost++
				default:
					t.Errorf("booking %s: %v", r.ID, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(booked) != writers/2*each || lost != writers/2*each {
		t.Errorf("%d booked and %d refused, want %d of each", len(booked), lost, writers/2*each)
	}
	for _, id := range booked {
		if got, want := tracesOf(t, db, id), (traces{1, 1, 1}); got != want {
			t.Errorf("booking %s: %+v, want %+v", id, got, want)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM bookings`); got != len(booked) {
		t.Errorf("%d bookings stored, %d answered", got, len(booked))
	}
	txs, calls := db.Commits()
	t.Logf("%d calls committed in %d transactions", calls-calls0, txs-txs0)
}

// TestGroupCommitFailuresStayTheirOwn: in one group, a call whose fn
// returns an error, one that panics, one whose context ends between two of
// its statements and one whose context ends inside a statement each leave
// nothing, and the calls before and after them commit. A context that
// ends inside a write statement must not interrupt it: SQLite would roll
// the whole transaction back, the others' writes with it.
func TestGroupCommitFailuresStayTheirOwn(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	mustNoErr(t, db.ExecInTx(ctx, `CREATE TABLE gc_marks (name TEXT NOT NULL)`))
	mark := func(ctx context.Context, tx *sqlite.Tx, name string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO gc_marks (name) VALUES (?)`, name)
		return err
	}
	txs0, calls0 := db.Commits()
	g := holdWriter(t, db)

	ok1 := newBooking(bookingAt(0, "bk_ok"))
	ok1Err := g.start(func() error { _, _, err := db.CreateBooking(ctx, ok1, place(ok1, "")); return err })

	refused := errors.New("refused")
	failErr := g.start(func() error {
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			if err := mark(ctx, tx, "failed"); err != nil {
				return err
			}
			return refused
		})
	})

	panicked := make(chan any, 1)
	panicErr := g.start(func() error {
		defer func() { panicked <- recover() }()
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			if err := mark(ctx, tx, "panicked"); err != nil {
				return err
			}
			panic("boom")
		})
	})

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var second error
	cancelledErr := g.start(func() error {
		return db.InTx(cctx, func(tx *sqlite.Tx) error {
			if err := mark(cctx, tx, "cancelled"); err != nil {
				return err
			}
			cancel()
			second = mark(cctx, tx, "cancelled, second")
			return nil // as a careless fn might
		})
	})

	ictx, icancel := context.WithCancel(ctx)
	defer icancel()
	cancelInStatement.Store(&icancel)
	defer cancelInStatement.Store(nil)
	var stmtErr error
	interruptedErr := g.start(func() error {
		return db.InTx(ictx, func(tx *sqlite.Tx) error {
			_, stmtErr = tx.ExecContext(ictx, `INSERT INTO gc_marks (name)
				WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000)
				SELECT 'interrupted ' || gc_cancel(x, 10) FROM c`)
			return stmtErr
		})
	})

	keptErr := g.start(func() error { return db.InTx(ctx, func(tx *sqlite.Tx) error { return mark(ctx, tx, "kept") }) })
	ok2 := newBooking(bookingAt(1, "bk_ok"))
	ok2Err := g.start(func() error { _, _, err := db.CreateBooking(ctx, ok2, place(ok2, "")); return err })
	mustNoErr(t, g.open())

	mustNoErr(t, <-ok1Err)
	if err := <-failErr; !errors.Is(err, refused) {
		t.Errorf("the failing call: %v, want its own error", err)
	}
	<-panicErr
	if p := <-panicked; p != "boom" {
		t.Errorf("the panicking call's goroutine recovered %v, want its panic", p)
	}
	if err := <-cancelledErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the call cancelled between statements: %v, want context.Canceled", err)
	}
	if !errors.Is(second, context.Canceled) {
		t.Errorf("its statement after the cancellation: %v, want context.Canceled", second)
	}
	if err := <-interruptedErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the call cancelled inside a statement: %v, want context.Canceled", err)
	}
	if stmtErr != nil {
		t.Errorf("the statement during which its context ended: %v, want it run to its end", stmtErr)
	}
	mustNoErr(t, <-keptErr)
	mustNoErr(t, <-ok2Err)

	for _, nb := range []booking.NewBooking{ok1, ok2} {
		if got, want := tracesOf(t, db, nb.Booking.ID), (traces{1, 1, 1}); got != want {
			t.Errorf("booking %s: %+v, want %+v", nb.Booking.ID, got, want)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM gc_marks WHERE name <> 'kept'`); got != 0 {
		t.Errorf("%d rows of the failed calls stored, want none", got)
	}
	if got := count(t, db, `SELECT count(*) FROM gc_marks WHERE name = 'kept'`); got != 1 {
		t.Errorf("%d rows of the call after them, want 1", got)
	}
	txs, calls := db.Commits()
	if txs-txs0 != 1 || calls-calls0 != 4 {
		t.Errorf("%d transactions committed %d calls, want 1 for 4 (the gate's, two bookings and the kept mark)", txs-txs0, calls-calls0)
	}
	// The writer goes on.
	MustCreateBooking(t, db, bookingAt(2, "bk_after"))
}

// TestGroupCommitCommitFailureFailsEveryCall: when the group's COMMIT
// fails (here a deferred foreign key that one call broke), every call of
// the group fails, nothing of any is stored, the subscribers are told the
// COMMIT failed, and the next write goes through.
func TestGroupCommitCommitFailureFailsEveryCall(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	var (
		mu     sync.Mutex
		failed int
	)
	db.Subscribe(func(c sqlite.Changes) {
		mu.Lock()
		defer mu.Unlock()
		if c.CommitFailed {
			failed++
		}
	})
	g := holdWriter(t, db)
	ok1 := newBooking(bookingAt(0, "bk_ok"))
	ok1Err := g.start(func() error { _, _, err := db.CreateBooking(ctx, ok1, place(ok1, "")); return err })
	badErr := g.start(func() error {
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO booking_staff_notes (booking_id, notes, updated_at)
				VALUES ('bk_nowhere', 'a note', 'now')`)
			return err // nil: the key is checked at COMMIT
		})
	})
	ok2 := newBooking(bookingAt(1, "bk_ok"))
	ok2Err := g.start(func() error { _, _, err := db.CreateBooking(ctx, ok2, place(ok2, "")); return err })

	if err := g.open(); err == nil {
		t.Error("the gate's call of the failed group: nil")
	}
	for name, errc := range map[string]<-chan error{"first booking": ok1Err, "bad call": badErr, "second booking": ok2Err} {
		if err := <-errc; err == nil {
			t.Errorf("%s of the failed group: nil", name)
		}
	}
	for _, nb := range []booking.NewBooking{ok1, ok2} {
		if got := tracesOf(t, db, nb.Booking.ID); got != (traces{}) {
			t.Errorf("booking %s of the failed group left %+v", nb.Booking.ID, got)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM booking_staff_notes`); got != 0 {
		t.Errorf("%d staff notes stored", got)
	}
	mu.Lock()
	if failed != 3 {
		t.Errorf("%d notifications of a failed COMMIT, want 3 (each call that wrote)", failed)
	}
	mu.Unlock()
	b := MustCreateBooking(t, db, bookingAt(2, "bk_after"))
	if got, want := tracesOf(t, db, b.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("the booking after: %+v, want %+v", got, want)
	}
}

// TestGroupCommitQueuedCallerGivesUp: a caller whose context ends while it
// waits for the writer, and one that waits longer than the busy timeout,
// give up at once, without waiting for the transaction in progress, with
// nothing changed; the group goes on without them.
func TestGroupCommitQueuedCallerGivesUp(t *testing.T) {
	const busy = 150 * time.Millisecond
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{BusyTimeout: busy})
	_, calls0 := db.Commits()
	g := holdWriter(t, db)

	cctx, cancel := context.WithCancel(ctx)
	gone := newBooking(bookingAt(0, "bk_gone"))
	goneErr := g.start(func() error { _, _, err := db.CreateBooking(cctx, gone, place(gone, "")); return err })
	kept := newBooking(bookingAt(1, "bk_kept"))
	keptErr := g.start(func() error { _, _, err := db.CreateBooking(ctx, kept, place(kept, "")); return err })
	cancel()
	if err := <-goneErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled caller: %v, want context.Canceled", err)
	}
	mustNoErr(t, g.open())
	mustNoErr(t, <-keptErr)

	g = holdWriter(t, db)
	began := time.Now()
	late := newBooking(bookingAt(2, "bk_late"))
	lateErr := g.start(func() error { _, _, err := db.CreateBooking(ctx, late, place(late, "")); return err })
	wantUnavailable(t, <-lateErr, 0) // the gate is still closed
	if waited := time.Since(began); waited < busy {
		t.Errorf("gave up after %s, before the busy timeout %s", waited, busy)
	}
	mustNoErr(t, g.open())

	for _, nb := range []booking.NewBooking{gone, late} {
		if got := tracesOf(t, db, nb.Booking.ID); got != (traces{}) {
			t.Errorf("booking %s that gave up left %+v", nb.Booking.ID, got)
		}
	}
	if got, want := tracesOf(t, db, kept.Booking.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("the booking queued after the cancelled one: %+v, want %+v", got, want)
	}
	if _, calls := db.Commits(); calls-calls0 != 3 {
		t.Errorf("%d calls committed, want 3 (two gates' and one booking)", calls-calls0)
	}
}

// TestGroupCommitSubscribersSeeEachCommit: each call of a group is
// published on its own, after the group's COMMIT (the subscriber reads
// every booking of the group as committed) and before its caller returns.
func TestGroupCommitSubscribersSeeEachCommit(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	raw := rawDB(t, db)
	var (
		mu   sync.Mutex
		days []time.Time
		seen []int
		bad  []string
	)
	db.Subscribe(func(c sqlite.Changes) {
		if c.JobsQueued == 0 {
			return
		}
		var n int
		err := raw.QueryRow(`SELECT count(*) FROM bookings`).Scan(&n)
		mu.Lock()
		defer mu.Unlock()
		if err != nil || c.JobsQueued != 1 || len(c.BookingDays) != 1 {
			bad = append(bad, fmt.Sprintf("%+v, %v", c, err))
			return
		}
		days = append(days, c.BookingDays...)
		seen = append(seen, n)
	})
	const n = 8
	g := holdWriter(t, db)
	var errs []<-chan error
	for i := range n {
		r := req{ID: fmt.Sprintf("bk_day%d", i), Artisan: "ana", Start: at(11, 0).AddDate(0, 0, i)}
		nb := newBooking(r)
		day := nb.Booking.BlockStart.UTC().Truncate(24 * time.Hour)
		errs = append(errs, g.start(func() error {
			if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.ContainsFunc(days, day.Equal) {
				return fmt.Errorf("returned before the subscribers were told of %s", day)
			}
			return nil
		}))
	}
	mustNoErr(t, g.open())
	for _, errc := range errs {
		mustNoErr(t, <-errc)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("notifications %v: want one booking day and one job each", bad)
	}
	if len(days) != n {
		t.Errorf("%d notifications, want %d", len(days), n)
	}
	for i, s := range seen {
		if s != n {
			t.Errorf("notification %d read %d bookings committed, want all %d of the group", i, s, n)
		}
	}
}

// TestGroupCommitCatalogueChangeSeenByLaterCalls: a call after one that
// changed the catalogue, in the same group, reads the changed catalogue
// (from the transaction: the cache knows only committed changes). Time
// off added for ana refuses her booking in it.
func TestGroupCommitCatalogueChangeSeenByLaterCalls(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	mustCatalog(t, db) // the cache holds the catalogue without the time off
	g := holdWriter(t, db)
	offErr := g.start(func() error {
		_, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(10, 0), End: at(18, 0)}, booking.Actor{Kind: "staff", ID: "u1"})
		return err
	})
	nb := newBooking(req{ID: "bk_away", Artisan: "ana", Start: at(11, 0)})
	bookErr := g.start(func() error { _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); return err })
	mustNoErr(t, g.open())
	mustNoErr(t, <-offErr)
	wantCode(t, <-bookErr, booking.ECONFLICT, booking.CodeSlotUnavailable)
	if got := tracesOf(t, db, nb.Booking.ID); got != (traces{}) {
		t.Errorf("the booking during the time off left %+v", got)
	}
}

// TestGroupCommitLostTransactionFailsTheGroup: when SQLite rolls the
// group's transaction back under it (as it may on a full disk or an I/O
// error; here a call runs ROLLBACK itself and returns nil), no call of the
// group is answered nil: their writes are gone. The calls not yet taken go
// into the next transaction and commit.
func TestGroupCommitLostTransactionFailsTheGroup(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	g := holdWriter(t, db)
	ok1 := newBooking(bookingAt(0, "bk_ok"))
	ok1Err := g.start(func() error { _, _, err := db.CreateBooking(ctx, ok1, place(ok1, "")); return err })
	rogueErr := g.start(func() error {
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			_, err := tx.ExecContext(ctx, `ROLLBACK`)
			return err
		})
	})
	wantUnavailable(t, g.open(), 0) // the gate's call was in the lost transaction too
	wantUnavailable(t, <-ok1Err, 0)
	wantUnavailable(t, <-rogueErr, 0)
	if got := tracesOf(t, db, ok1.Booking.ID); got != (traces{}) {
		t.Errorf("the booking of the lost transaction left %+v", got)
	}
	b := MustCreateBooking(t, db, bookingAt(1, "bk_after"))
	if got, want := tracesOf(t, db, b.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("the booking after: %+v, want %+v", got, want)
	}
}

// TestGroupCommitLostFirstCallStopsTheGroup: the first call of a
// transaction, which has no savepoint of its own, loses the transaction
// (ROLLBACK) and returns nil: it fails, and the call queued behind it is
// not run outside a transaction (where its savepoint would begin and
// commit one of its own) but in the next transaction, and commits.
func TestGroupCommitLostFirstCallStopsTheGroup(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	g := holdWriterThen(t, db, func(tx *sqlite.Tx) error {
		_, err := tx.ExecContext(ctx, `ROLLBACK`)
		return err
	})
	next := newBooking(bookingAt(0, "bk_next"))
	nextErr := g.start(func() error { _, _, err := db.CreateBooking(ctx, next, place(next, "")); return err })
	wantUnavailable(t, g.open(), 0)
	mustNoErr(t, <-nextErr)
	if got, want := tracesOf(t, db, next.Booking.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("the booking after the lost call: %+v, want %+v", got, want)
	}
}

// TestGroupCommitGoexitInFn: an fn that ends its goroutine
// (runtime.Goexit, as t.FailNow would) cannot be stopped on the writer's
// goroutine: its group fails with nothing committed, its caller gets an
// error instead of waiting for ever, and a new writer takes the next
// writes.
func TestGroupCommitGoexitInFn(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	mustNoErr(t, db.ExecInTx(ctx, `CREATE TABLE gc_marks (name TEXT NOT NULL)`))
	err := db.InTx(ctx, func(tx *sqlite.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO gc_marks (name) VALUES ('exited')`); err != nil {
			return err
		}
		runtime.Goexit()
		return nil
	})
	wantUnavailable(t, err, 0)
	if got := count(t, db, `SELECT count(*) FROM gc_marks`); got != 0 {
		t.Errorf("%d rows of the call that exited stored", got)
	}
	b := MustCreateBooking(t, db, bookingAt(0, "bk_after"))
	if got, want := tracesOf(t, db, b.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("the booking after: %+v, want %+v", got, want)
	}
}

// TestBackgroundWritesGiveWay: a job runner's write (booking.Background)
// queued before a request's lets the request's go first, and runs once no
// request's write has come for the quiet time; one that has waited its
// longest goes in its turn.
func TestBackgroundWritesGiveWay(t *testing.T) {
	for _, tc := range []struct {
		name        string
		wait, quiet time.Duration
		want        []string
	}{
		{"GivesWay", time.Hour, 20 * time.Millisecond, []string{"request", "runner"}},
		{"WaitedLongest", time.Nanosecond, time.Hour, []string{"runner", "request"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
			db.SetBackgroundPacing(tc.wait, tc.quiet)
			t.Cleanup(func() { db.SetBackgroundPacing(0, 0) })
			var mu sync.Mutex
			var order []string
			write := func(ctx context.Context, name string) func() error {
				return func() error {
					return db.InTx(ctx, func(*sqlite.Tx) error {
						mu.Lock()
						order = append(order, name)
						mu.Unlock()
						return nil
					})
				}
			}
			g := holdWriter(t, db)
			runner := g.start(write(booking.Background(ctx), "runner"))
			request := g.start(write(ctx, "request"))
			mustNoErr(t, g.open())
			mustNoErr(t, <-request)
			mustNoErr(t, <-runner)
			if !slices.Equal(order, tc.want) {
				t.Errorf("ran %v, want %v", order, tc.want)
			}
		})
	}
}

// TestBackgroundWriteAloneRuns: a background write with no other write
// queued runs after the quiet time though the request's write before it
// was moments ago: the writer does not wait for a write to wake it.
func TestBackgroundWriteAloneRuns(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	db.SetBackgroundPacing(time.Hour, 30*time.Millisecond)
	t.Cleanup(func() { db.SetBackgroundPacing(0, 0) })
	mustNoErr(t, db.InTx(ctx, func(*sqlite.Tx) error { return nil }))
	began := time.Now()
	mustNoErr(t, db.InTx(booking.Background(ctx), func(*sqlite.Tx) error { return nil }))
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("the background write took %s", d)
	}
}

// TestJobWorkIsNoRequest: a job runner's own writes (booking.JobWork: a
// job's outcome) are not requests' writes a background claim gives way to,
// or the mail worker's outcomes would hold back its next claim.
func TestJobWorkIsNoRequest(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{BusyTimeout: 3 * time.Second})
	db.SetBackgroundPacing(time.Hour, time.Hour) // held for good after a request's write
	t.Cleanup(func() { db.SetBackgroundPacing(0, 0) })
	db.ForgetRequests() // the store's own writes at open
	mustNoErr(t, db.InTx(booking.JobWork(ctx), func(*sqlite.Tx) error { return nil }))
	mustNoErr(t, db.InTx(booking.Background(ctx), func(*sqlite.Tx) error { return nil }))
	// A request's write, and the claim after it is held: the test holds.
	mustNoErr(t, db.InTx(ctx, func(*sqlite.Tx) error { return nil }))
	if err := db.InTx(booking.Background(ctx), func(*sqlite.Tx) error { return nil }); err == nil {
		t.Error("a background write right after a request's ran at once, with a quiet of an hour")
	}
}
