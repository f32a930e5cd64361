package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
	"github.com/atelier-app/atelier/internal/storetest"
)

func TestSchemaHasJobsNotify(t *testing.T) {
	if !strings.Contains(schemaSQL, jobsNotifySQL) {
		t.Error("schema.sql lacks the jobs trigger exactly as its migration creates it")
	}
}

// rings records what WatchJobs rang.
type rings struct {
	mu  sync.Mutex
	got []string
	c   chan string
}

func (r *rings) ring(queues ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, q := range queues {
		r.got = append(r.got, q)
		select {
		case r.c <- q:
		default:
		}
	}
}

// waitFor waits up to a second for queue to be rung.
func (r *rings) waitFor(t *testing.T, queue string) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := time.After(time.Second)
	for {
		select {
		case q := <-r.c:
			if q == queue {
				return time.Since(start)
			}
		case <-deadline:
			t.Fatalf("%s was not rung within a second", queue)
		}
	}
}

// A job queued through one server rings the bell of another within a
// second; a rolled-back one rings nothing; a lost connection is opened
// again and every queue rung.
func TestWatchJobs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.Database(t)
	a, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	r := &rings{c: make(chan string, 64)}
	done := make(chan error, 1)
	go func() { done <- a.WatchJobs(ctx, r.ring, []string{"mail", "gcal"}, nil) }()
	r.waitFor(t, "gcal") // listening: every queue rung once

	if err := b.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "confirmation", Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	took := r.waitFor(t, "mail")
	t.Logf("a job queued on server b rang server a's bell after %v", took)

	// A job in a transaction that rolls back is never announced.
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO jobs (queue, kind, state, run_at, created_at) VALUES ('ghost', 'x', 'pending', now(), now())`); err != nil {
		t.Fatal(err)
	}
	tx.Rollback(ctx)
	b.Enqueue(ctx, booking.Job{Queue: "after-ghost", Kind: "x"})
	r.waitFor(t, "after-ghost")
	r.mu.Lock()
	for _, q := range r.got {
		if q == "ghost" {
			t.Error("a rolled-back job was announced")
		}
	}
	r.mu.Unlock()

	// The listening connection is killed: it comes back and rings all.
	if _, err := b.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "gcal")
	b.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "reminder"})
	r.waitFor(t, "mail")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("WatchJobs: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchJobs did not end with its context")
	}
}

func TestSchemaHasCatalogNotify(t *testing.T) {
	if !strings.Contains(schemaSQL, catalogNotifySQL) {
		t.Error("schema.sql lacks the catalogue triggers exactly as their migration creates them")
	}
	for _, table := range catalogTables {
		if !strings.Contains(catalogNotifySQL, " ON "+table+"\n") {
			t.Errorf("no trigger announces changes to %s", table)
		}
	}
}

// A catalogue change committed through one server is announced to
// another's watcher within a second.
func TestWatchCatalog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.Database(t)
	a, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r := &rings{c: make(chan string, 64)}
	go a.Watch(ctx, Watchers{Catalog: func(table string) { r.ring("catalog:" + table) }}, nil)
	r.waitFor(t, "catalog:") // listening: a reload asked for at once

	if _, err := b.SyncCatalog(ctx, storetest.Catalog()); err != nil {
		t.Fatal(err)
	}
	took := r.waitFor(t, "catalog:atelier")
	t.Logf("a catalogue change on server b reached server a after %v", took)
	if _, err := b.AddClosure(ctx, booking.Closure{From: booking.Date{Year: 2027, Month: 3, Day: 1}, To: booking.Date{Year: 2027, Month: 3, Day: 1}},
		booking.Actor{Kind: "staff", ID: "u"}); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "catalog:closures")
}
