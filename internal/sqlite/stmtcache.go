package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
)

// writeStatements are the statements of the booking transactions (create,
// move, cancel, and the audit rows, manage tokens and jobs they write),
// prepared once on the write connection when the database opens and reused
// by every transaction (Tx.ExecContext and the like look a query up here
// by its text). Preparing them anew each time was 18 % of a booking's
// transaction: the INSERT into bookings compiles its overlap, customer and
// search-index triggers with it. A query not listed is prepared for its
// call, as before; a listed query whose text changes merely stops being
// reused, so each is written once, as a constant beside the code that runs
// it.
func writeStatements() []string {
	qs := []string{
		insertBookingSQL, getBookingSQL, cancelBookingSQL, rescheduleBookingSQL,
		lookupIdempotencySQL, insertIdempotencySQL,
		insertAuditSQL, insertTokenSQL, insertJobSQL, insertJobPayloadSQL, busySQL,
		extrasSQL(heldExtrasWhere), // the teams' other artisans, read with the schedule
		// the job workers' claims and outcomes (job.go)
		claimJobsSQL, completeJobSQL, retryJobSQL, postponeJobSQL, failJobSQL,
	}
	for _, scope := range []scheduleScope{{}, {artisanID: "a"}, {artisanID: "a", rooms: true}} {
		qs = append(qs, scheduleSelect+scheduleWhere(scope))
	}
	return qs
}

// stmtCache holds the prepared writeStatements. It is filled in
// openDB before any transaction and only read afterwards, so it needs no
// lock. database/sql keeps each statement prepared per connection and
// prepares it again on a new one, should the pool replace the write
// connection.
type stmtCache struct {
	stmts map[string]*sql.Stmt
	// used counts the calls served by a prepared statement (tests).
	used atomic.Int64
}

// prepareWrites prepares writeStatements on the write pool, whose one
// connection is free while the database opens.
func (c *stmtCache) prepareWrites(ctx context.Context, write *sql.DB) error {
	c.stmts = make(map[string]*sql.Stmt)
	for _, q := range writeStatements() {
		if _, ok := c.stmts[q]; ok {
			continue
		}
		s, err := write.PrepareContext(ctx, q)
		if err != nil {
			return errors.Join(fmt.Errorf("prepare %.40q…: %w", q, err), c.close())
		}
		c.stmts[q] = s
	}
	return nil
}

// stmt returns query's prepared statement bound to tx, or nil if query is
// not one of writeStatements.
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	s := c.stmts[query]
	if s == nil {
		return nil
	}
	c.used.Add(1)
	return tx.StmtContext(ctx, s)
}

// close closes the prepared statements.
func (c *stmtCache) close() error {
	var errs []error
	for _, s := range c.stmts {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
