// Package dbcopy moves an atelier from SQLite to PostgreSQL: it copies
// every table of an SQLite database into an empty PostgreSQL database
// (atelier db copy --to URL).
//
// The copy is all or nothing. Both schemas are first brought to this
// binary's version by the stores' own migrations (internal/sqlite,
// internal/postgres), so the tables and columns correspond one to one.
// Then, in one PostgreSQL transaction that holds every table of the target
// locked (ACCESS EXCLUSIVE: a server started on the target meanwhile
// waits), the copy
//
//  1. refuses a target with a row in any table (it fills an empty
//     database; it never merges);
//  2. reads the source in one read transaction, so a server still running
//     on the SQLite file cannot make the copy see half a change;
//  3. copies each table with COPY, parents before children (the foreign
//     keys, from PostgreSQL's catalogue), converting SQLite's stored
//     values to the column's PostgreSQL type (instants stored as
//     fixed-width UTC text to timestamptz, 0/1 to boolean, JSON text to
//     json, ...), keeping ids as they are;
//  4. checks that each table of the target holds as many rows as the
//     source's;
//  5. moves each identity column's sequence past the largest id copied,
//     so the next closure or job gets a fresh id;
//
// and commits only when every step succeeded. A table of the source that
// the target lacks, or a column the target has no place for, stops the
// copy before anything is written: nothing is left behind.
package dbcopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/postgres"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// Table is one copied table and its rows.
type Table struct {
	Name string
	Rows int64
}

// Report is what Copy copied, in the order it copied it.
type Report struct {
	Tables []Table
}

// Rows is the number of rows copied in all.
func (r *Report) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// ErrNotEmpty is the refusal of a target that holds rows already.
var ErrNotEmpty = errors.New("the target database is not empty")

// Copy copies the SQLite database at path into the empty PostgreSQL
// database at pgURL (see the package comment). Errors never show pgURL,
// which may hold a password.
func Copy(ctx context.Context, path, pgURL string) (*Report, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("the SQLite database %s: %w", path, err)
	}
	// The stores' own Open migrates each schema to this binary's version.
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite database %s: %w", path, err)
	}
	src.Close()
	dst, err := postgres.Open(ctx, pgURL, postgres.Options{MaxConns: 1})
	if err != nil {
		return nil, fmt.Errorf("opening the PostgreSQL database: %w", err)
	}
	dst.Close()

	sdb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)&_query_only=1")
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite database %s: %w", path, err)
	}
	defer sdb.Close()
	stx, err := sdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("reading the SQLite database: %w", err)
	}
	defer stx.Rollback()

	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return nil, errors.New("connecting to the PostgreSQL database failed (check the URL, the server and the password)")
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ptx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))

	c := &copier{src: stx, dst: ptx}
	rep, err := c.run(ctx)
	if err != nil {
		return nil, err
	}
	if err := ptx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgres: commit: %w", err)
	}
	return rep, nil
}

// copier is one copy: the source's read transaction and the target's
// write transaction.
type copier struct {
	src *sql.Tx
	dst pgx.Tx
}

// skipTables are the target's tables that are not data: the record of its
// migrations, written by postgres.Open.
var skipTables = map[string]bool{"schema_migrations": true}

func (c *copier) run(ctx context.Context) (*Report, error) {
	tables, err := c.targetTables(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.lockAndCheckEmpty(ctx, tables); err != nil {
		return nil, err
	}
	srcTables, err := c.sourceTables(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range srcTables {
		if !slices.Contains(tables, name) {
			return nil, fmt.Errorf("the SQLite table %s has no counterpart in the PostgreSQL schema: nothing was copied", name)
		}
	}
	plans := make([]tablePlan, 0, len(tables))
	for _, name := range tables {
		if !slices.Contains(srcTables, name) {
			continue // PostgreSQL only (e.g. the shared rate limits): stays empty
		}
		p, err := c.plan(ctx, name)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	rep := &Report{}
	for _, p := range plans {
		n, err := c.copyTable(ctx, p)
		if err != nil {
			return nil, err
		}
		if err := c.verify(ctx, p.table, n); err != nil {
			return nil, err
		}
		if err := c.resetSequences(ctx, p); err != nil {
			return nil, err
		}
		rep.Tables = append(rep.Tables, Table{Name: p.table, Rows: n})
	}
	return rep, nil
}

// targetTables lists the target's tables, each after the tables its
// foreign keys reference.
func (c *copier) targetTables(ctx context.Context) ([]string, error) {
	rows, err := c.dst.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: listing tables: %w", err)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return skipTables[n] })
	rows, err = c.dst.Query(ctx, `SELECT cl.relname, ref.relname FROM pg_constraint k
		JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class ref ON ref.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing foreign keys: %w", err)
	}
	parents := map[string][]string{}
	var child, parent string
	if _, err := pgx.ForEachRow(rows, []any{&child, &parent}, func() error {
		if child != parent {
			parents[child] = append(parents[child], parent)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: listing foreign keys: %w", err)
	}
	return parentsFirst(names, parents)
}

// parentsFirst orders names so that each comes after its parents; among
// tables free to go, alphabetical order keeps the copy's report stable.
func parentsFirst(names []string, parents map[string][]string) ([]string, error) {
	placed := map[string]bool{}
	var out []string
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if placed[n] {
				continue
			}
			ready := true
			for _, p := range parents[n] {
				if !placed[p] && slices.Contains(names, p) {
					ready = false
				}
			}
			if ready {
				placed[n] = true
				out = append(out, n)
				progress = true
			}
		}
		if !progress {
			return nil, errors.New("postgres: the foreign keys of the schema form a cycle")
		}
	}
	return out, nil
}

// lockAndCheckEmpty locks every table of the target and refuses it if any
// holds a row.
func (c *copier) lockAndCheckEmpty(ctx context.Context, tables []string) error {
	quoted := make([]string, len(tables))
	for i, t := range tables {
		quoted[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := c.dst.Exec(ctx, `LOCK TABLE `+strings.Join(quoted, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("postgres: locking the tables: %w", err)
	}
	var full []string
	for i, t := range tables {
		var any bool
		if err := c.dst.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoted[i]+`)`).Scan(&any); err != nil {
			return fmt.Errorf("postgres: reading %s: %w", t, err)
		}
		if any {
			full = append(full, t)
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w: %s already hold rows; db copy fills an empty database only (create a new one: createdb)", ErrNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

// sourceTables lists the source's tables.
func (c *copier) sourceTables(ctx context.Context) ([]string, error) {
	// Only ordinary tables hold data: a virtual table (the FTS5 search
	// index) and its shadow tables are derived from them, and PostgreSQL
	// keeps its own index instead.
	rows, err := c.src.QueryContext(ctx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: listing tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// column is one column the copy writes: its name and the target's type.
type column struct {
	name     string
	pgType   string // udt_name: int4, timestamptz, bool, ...
	identity bool
}

// tablePlan is what the copy writes of one table.
type tablePlan struct {
	table   string
	columns []column
}

// plan matches the columns of a table in both databases: every source
// column must have a place in the target; a target column the source
// lacks keeps its default.
func (c *copier) plan(ctx context.Context, table string) (tablePlan, error) {
	p := tablePlan{table: table}
	rows, err := c.dst.Query(ctx, `SELECT column_name, udt_name, is_identity = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
		AND is_generated = 'NEVER' ORDER BY ordinal_position`, table)
	if err != nil {
		return p, fmt.Errorf("postgres: columns of %s: %w", table, err)
	}
	target := map[string]column{}
	var col column
	if _, err := pgx.ForEachRow(rows, []any{&col.name, &col.pgType, &col.identity}, func() error {
		target[col.name] = col
		return nil
	}); err != nil {
		return p, fmt.Errorf("postgres: columns of %s: %w", table, err)
	}
	srows, err := c.src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return p, fmt.Errorf("sqlite: columns of %s: %w", table, err)
	}
	defer srows.Close()
	for srows.Next() {
		var name string
		if err := srows.Scan(&name); err != nil {
			return p, fmt.Errorf("sqlite: columns of %s: %w", table, err)
		}
		tc, ok := target[name]
		if !ok {
			return p, fmt.Errorf("the SQLite column %s.%s has no counterpart in the PostgreSQL schema: nothing was copied", table, name)
		}
		p.columns = append(p.columns, tc)
	}
	return p, srows.Err()
}

// copyTable copies one table's rows with COPY and returns how many.
func (c *copier) copyTable(ctx context.Context, p tablePlan) (int64, error) {
	names := make([]string, len(p.columns))
	quoted := make([]string, len(p.columns))
	for i, col := range p.columns {
		names[i] = col.name
		quoted[i] = `"` + strings.ReplaceAll(col.name, `"`, `""`) + `"`
	}
	rows, err := c.src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+p.table+`" ORDER BY rowid`)
	if err != nil {
		// A WITHOUT ROWID table has no rowid: its primary key orders it.
		rows, err = c.src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+p.table+`"`)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: reading %s: %w", p.table, err)
	}
	defer rows.Close()
	raw := make([]any, len(p.columns))
	ptrs := make([]any, len(p.columns))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	out := make([]any, len(p.columns))
	var convErr error
	n, err := c.dst.CopyFrom(ctx, pgx.Identifier{p.table}, names, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, col := range p.columns {
			v, err := convert(raw[i], col.pgType)
			if err != nil {
				convErr = fmt.Errorf("%s.%s: %w", p.table, col.name, err)
				return nil, convErr
			}
			out[i] = v
		}
		return out, nil
	}))
	if convErr != nil {
		return 0, convErr
	}
	if err != nil {
		return 0, fmt.Errorf("copying %s: %w", p.table, err)
	}
	return n, nil
}

// verify checks that the target's table holds as many rows as the
// source's, and as the copy wrote.
func (c *copier) verify(ctx context.Context, table string, copied int64) error {
	var inSrc, inDst int64
	if err := c.src.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&inSrc); err != nil {
		return fmt.Errorf("sqlite: counting %s: %w", table, err)
	}
	if err := c.dst.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&inDst); err != nil {
		return fmt.Errorf("postgres: counting %s: %w", table, err)
	}
	if inSrc != inDst || copied != inSrc {
		return fmt.Errorf("%s: %d rows in SQLite, %d copied, %d in PostgreSQL: nothing was copied", table, inSrc, copied, inDst)
	}
	return nil
}

// resetSequences moves the sequence of each identity column past the
// largest id copied.
func (c *copier) resetSequences(ctx context.Context, p tablePlan) error {
	for _, col := range p.columns {
		if !col.identity {
			continue
		}
		q := `SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max(` +
			pgx.Identifier{col.name}.Sanitize() + `) AS m FROM ` + pgx.Identifier{p.table}.Sanitize() + `) s WHERE m IS NOT NULL`
		if _, err := c.dst.Exec(ctx, q, pgx.Identifier{p.table}.Sanitize(), col.name); err != nil {
			return fmt.Errorf("postgres: the sequence of %s.%s: %w", p.table, col.name, err)
		}
	}
	return nil
}

// convert turns a value read from SQLite (nil, int64, float64, string or
// []byte) into one for a PostgreSQL column of type pgType.
func convert(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch pgType {
	case "timestamptz", "timestamp", "date":
		// SQLite's schema writes '' where PostgreSQL's has NULL for
		// "never" (e.g. rules_updated_at before any change).
		if s, ok := asString(v); ok && s == "" {
			return nil, nil
		}
	}
	switch pgType {
	case "timestamptz", "timestamp":
		return toTime(v)
	case "date":
		return toDate(v)
	case "bool":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case bool:
			return x, nil
		}
		return nil, fmt.Errorf("%v (%T) is not 0 or 1", v, v)
	case "int2", "int4", "int8", "float4", "float8", "numeric":
		return toNumber(v, pgType)
	case "bytea":
		switch x := v.(type) {
		case []byte:
			if x == nil {
				// An empty BLOB (NULL is the untyped nil above), such as
				// the payload of a job that has none: empty, not NULL.
				return []byte{}, nil
			}
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("a %T where bytes were expected", v)
	case "json", "jsonb", "text", "varchar", "bpchar":
		return toText(v)
	}
	return nil, fmt.Errorf("no conversion of a %T to %s", v, pgType)
}

func toDate(v any) (any, error) {
	s, ok := asString(v)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a date", v, v)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a date", s)
	}
	return t, nil
}

func toNumber(v any, pgType string) (any, error) {
	whole := pgType == "int2" || pgType == "int4" || pgType == "int8"
	switch x := v.(type) {
	case int64:
		if whole {
			return x, nil
		}
		return float64(x), nil
	case float64:
		if !whole {
			return x, nil
		}
		if x == float64(int64(x)) {
			return int64(x), nil
		}
	}
	return nil, fmt.Errorf("%v (%T) is not a %s", v, v, map[bool]string{true: "whole number", false: "number"}[whole])
}

// toText is a text or json value: pgx writes a string to a json column as
// the JSON text it is.
func toText(v any) (any, error) {
	if s, ok := asString(v); ok {
		return s, nil
	}
	switch x := v.(type) {
	case int64:
		return fmt.Sprint(x), nil
	case float64:
		return fmt.Sprint(x), nil
	}
	return nil, fmt.Errorf("no conversion of a %T to text", v)
}

func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// timeLayouts are the layouts of instants SQLite's store has written:
// the fixed-width UTC text of today, and RFC 3339 as a fallback.
var timeLayouts = []string{"2006-01-02T15:04:05.000Z", time.RFC3339Nano, "2006-01-02 15:04:05"}

func toTime(v any) (time.Time, error) {
	if x, ok := v.(time.Time); ok {
		return x.UTC(), nil
	}
	s, ok := asString(v)
	if !ok {
		return time.Time{}, fmt.Errorf("%v (%T) is not an instant", v, v)
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an instant", s)
}
