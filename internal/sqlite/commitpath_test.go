package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestWriteConnectionPragmas: every write runs on a connection that
// commits with synchronous=FULL (a 201 survives a power cut) in WAL mode,
// and keeps its sub-journal (savepoints, statement journals) in memory.
func TestWriteConnectionPragmas(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	for _, c := range []struct{ pragma, want string }{
		{"synchronous", "2"}, // FULL
		{"journal_mode", "wal"},
		{"temp_store", "2"}, // MEMORY
		{"foreign_keys", "1"},
	} {
		var got string
		if err := db.InTx(ctx, func(tx *sqlite.Tx) error {
			return tx.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got)
		}); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s on the write connection = %s, want %s", c.pragma, got, c.want)
		}
	}
}

// TestGroupCommitLargeSavepointRollsBack: a call of a group that changes
// far more than SQLite keeps of a sub-journal before it spills (64 KiB:
// here every page of a 1 MB table) and then fails is undone whole from
// the in-memory sub-journal, while the calls before and after it commit.
func TestGroupCommitLargeSavepointRollsBack(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	const rows = 4000
	if err := db.ExecInTx(ctx, `CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if err := db.ExecInTx(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO big (id, v) SELECT i, printf('%0250d', i) FROM n`, rows); err != nil {
		t.Fatal(err)
	}
	txs0, _ := db.Commits()
	g := holdWriter(t, db)
	before := g.start(func() error {
		return db.ExecInTx(ctx, `UPDATE big SET v = 'before' WHERE id = 1`)
	})
	errFailed := errors.New("fails after rewriting every row")
	failing := g.start(func() error {
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE big SET v = upper(v) || 'x'`); err != nil {
				return err
			}
			return errFailed
		})
	})
	after := g.start(func() error {
		return db.ExecInTx(ctx, `UPDATE big SET v = 'after' WHERE id = ?`, rows)
	})
	if err := g.open(); err != nil {
		t.Fatal(err)
	}
	if err := <-before; err != nil {
		t.Errorf("the call before: %v", err)
	}
	if err := <-failing; !errors.Is(err, errFailed) {
		t.Errorf("the failing call: %v, want its own error", err)
	}
	if err := <-after; err != nil {
		t.Errorf("the call after: %v", err)
	}
	if txs, _ := db.Commits(); txs-txs0 != 1 {
		t.Errorf("%d transactions, want 1 (the three calls in the gate's group)", txs-txs0)
	}
	raw := rawDB(t, db)
	var first, last string
	var changed int
	if err := raw.QueryRow(`SELECT (SELECT v FROM big WHERE id = 1), (SELECT v FROM big WHERE id = ?),
		(SELECT count(*) FROM big WHERE v LIKE '%x')`, rows).Scan(&first, &last, &changed); err != nil {
		t.Fatal(err)
	}
	if first != "before" || last != "after" || changed != 0 {
		t.Errorf("first row %q, last row %q, %d rows of the failed call: want before, after and 0", first, last, changed)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM big WHERE length(v) = 250 AND v = printf('%0250d', id)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := rows - 2; n != want {
		t.Errorf("%d rows as they were, want %d", n, want)
	}
}
