package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// BenchmarkMailJobCycle is what one booking's two e-mails cost the store:
// their two jobs queued in one transaction (payloads of 14,000 and 8,000
// bytes, a confirmation's and a staff notice's), claimed by the worker
// and completed one by one, each its own commit, as the mail worker does,
// on a file that fills with done jobs as a server's does. Besides the
// time it reports the process's CPU (cpu-µs/op: user and system, every
// goroutine) and the bytes it handed to write(2) and pwrite(2)
// (wchar-B/op, from /proc/self/io: the WAL frames, the checkpoints'
// copies into the database file and the statement journals), which is
// what the group-commit writer spends on jobs.
func BenchmarkMailJobCycle(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	cycle := mailJobCycle(b, db)
	cpu0, w0 := processCPU(b), writtenBytes(b)
	i := 0
	for b.Loop() {
		cycle(i)
		i++
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(time.Microsecond)/float64(i), "cpu-µs/op")
	b.ReportMetric(float64(writtenBytes(b)-w0)/float64(i), "wchar-B/op")
}

// BenchmarkMailJobCyclePages is BenchmarkMailJobCycle with the WAL's
// automatic checkpoints off: it reports the WAL pages (frames) each
// booking's two mail jobs add, from their queueing to their completion.
func BenchmarkMailJobCyclePages(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	cycle := mailJobCycle(b, db)
	if err := db.SetAutocheckpoint(context.Background(), 0); err != nil {
		b.Fatal(err)
	}
	cycle(-1) // the WAL restarts at this commit
	walSize := func() int64 {
		fi, err := os.Stat(db.Path() + "-wal")
		if err != nil {
			b.Fatal(err)
		}
		return fi.Size()
	}
	before := walSize()
	i := 0
	for b.Loop() {
		cycle(i)
		i++
	}
	b.ReportMetric(float64(walSize()-before)/float64(4096+24)/float64(i), "pages/op")
}

// mailJobCycle returns the cycle of BenchmarkMailJobCycle, after running
// it on 500 bookings first.
func mailJobCycle(b *testing.B, db *sqlite.Store) func(i int) {
	ctx := context.Background()
	const bookings = 2000
	seedBookings(b, db, bookings)
	rng := rand.New(rand.NewPCG(1, 2))
	body := func(n int) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(32 + rng.IntN(90))
		}
		return p
	}
	conf, notice := body(14000), body(8000)
	cycle := func(i int) {
		id := fmt.Sprintf("seed%05d", (i+bookings)%bookings)
		if err := db.Enqueue(ctx,
			booking.Job{Queue: "mail", Kind: "confirmation", BookingID: id, Payload: conf},
			booking.Job{Queue: "mail", Kind: "staff_notice", BookingID: id, Payload: notice}); err != nil {
			b.Fatal(err)
		}
		for done := 0; done < 2; {
			jobs, err := db.ClaimJobs(ctx, "mail", time.Now(), 10, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(jobs) == 0 {
				b.Fatal("no job to claim")
			}
			for _, j := range jobs {
				if len(j.Payload) != len(conf) && len(j.Payload) != len(notice) {
					b.Fatalf("job %d: payload of %d bytes", j.ID, len(j.Payload))
				}
				if err := db.CompleteJob(ctx, j.ID); err != nil {
					b.Fatal(err)
				}
				done++
			}
		}
	}
	for i := range 500 { // done jobs before the timing, as on a server's file
		cycle(i)
	}
	return cycle
}

// processCPU is the CPU time the process has used, user and system.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writtenBytes is the bytes the process has handed to write system calls
// (wchar of /proc/self/io).
func writtenBytes(tb testing.TB) int64 {
	p, err := os.ReadFile("/proc/self/io")
	if err != nil {
		tb.Skip("no /proc/self/io:", err)
	}
	for line := range bytes.Lines(p) {
		if v, ok := bytes.CutPrefix(line, []byte("wchar: ")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatal("no wchar in /proc/self/io")
	return 0
}
