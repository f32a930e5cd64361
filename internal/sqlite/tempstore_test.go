package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestWriteStatementJournalsInMemory: the write connection keeps its
// statement journals in memory (temp_store=MEMORY), and a call of a group
// that changed far more existing pages than SQLite's 64 KiB spill
// threshold, then failed, still leaves every page as it was, while the
// calls before and after it in the same transaction commit.
func TestWriteStatementJournalsInMemory(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{})
	got, err := db.WriteTempStore(ctx)
	mustNoErr(t, err)
	if got != 2 {
		t.Fatalf("temp_store of the write connection = %d, want 2 (memory)", got)
	}

	// About 120 pages of rows, committed before the group begins.
	mustNoErr(t, db.ExecInTx(ctx, `CREATE TABLE sj_rows (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`))
	mustNoErr(t, db.ExecInTx(ctx, `INSERT INTO sj_rows (id, v)
		WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)
		SELECT x, printf('%0200d', x) FROM c`))
	g := holdWriter(t, db)
	refused := errors.New("refused")
	failErr := g.start(func() error {
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE sj_rows SET v = upper(hex(randomblob(100)))`); err != nil {
				return err
			}
			return refused
		})
	})
	keptErr := g.start(func() error {
		return db.InTx(ctx, func(tx *sqlite.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sj_rows SET v = 'kept' WHERE id % 500 = 0`)
			return err
		})
	})
	mustNoErr(t, g.open())
	if err := <-failErr; !errors.Is(err, refused) {
		t.Errorf("the failing call: %v, want its own error", err)
	}
	mustNoErr(t, <-keptErr)

	rows, err := rawDB(t, db).Query(`SELECT id, v FROM sj_rows ORDER BY id`)
	mustNoErr(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int
		var v string
		mustNoErr(t, rows.Scan(&id, &v))
		want := fmt.Sprintf("%0200d", id)
		if id%500 == 0 {
			want = "kept"
		}
		if v != want {
			t.Fatalf("row %d = %.20q…, want %.20q…", id, v, want)
		}
		n++
	}
	mustNoErr(t, rows.Err())
	if n != 2000 {
		t.Errorf("%d rows, want 2000", n)
	}
}
