package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeBackup writes a small file, or fails while fail is set.
type fakeBackup struct {
	mu    sync.Mutex
	fail  error
	calls int
}

func (f *fakeBackup) backup(_ context.Context, path string) (Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return Result{}, f.fail
	}
	if err := os.WriteFile(path, []byte("copy"), 0o600); err != nil {
		return Result{}, err
	}
	return Result{Bytes: 4, Bookings: int64(f.calls)}, nil
}

func (f *fakeBackup) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// start runs s until the test ends.
func start(t *testing.T, s *Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// waitFor polls the status until ok holds.
func waitFor(t *testing.T, s *Scheduler, what string, ok func(Status) bool) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.Status()
		if ok(st) && !st.Running {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: status %+v", what, st)
		}
		time.Sleep(time.Millisecond) // polling the status, not hiding a race
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestScheduleAndRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	c := &clock{t: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	fb := &fakeBackup{}
	s := &Scheduler{Dir: dir, Prefix: "atelier", Every: time.Hour, Keep: 2, Backup: fb.backup, Now: c.Now}
	start(t, s)

	// No backup yet: the first is made at once.
	st := waitFor(t, s, "the first backup", func(st Status) bool { return st.Kept == 1 })
	if want := filepath.Join(dir, "atelier-20261201T030000Z.db"); st.LastFile != want || st.LastBookings != 1 {
		t.Errorf("first backup %s (%d bookings), want %s", st.LastFile, st.LastBookings, want)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("backup folder: %v %v, want mode 0700", fi, err)
	}
	if st.Failing(c.Now()) || !st.Next.Equal(c.Now().Add(time.Hour)) {
		t.Errorf("after the first backup: failing %v, next %s", st.Failing(c.Now()), st.Next)
	}

	// A file that is not one of ours is never removed.
	if err := os.WriteFile(filepath.Join(dir, "atelier-before-upgrade.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 4; i++ {
		c.Add(time.Hour)
		s.Wake()
		waitFor(t, s, "the next backup", func(st Status) bool { return st.LastBookings == int64(i) })
	}
	got := names(t, dir)
	want := []string{"atelier-20261201T050000Z.db", "atelier-20261201T060000Z.db", "atelier-before-upgrade.db"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("folder holds %v, want %v (the newest two and the foreign file)", got, want)
	}

	// Nothing is due yet: waking changes nothing.
	c.Add(30 * time.Minute)
	s.Wake()
	time.Sleep(20 * time.Millisecond) // giving a wrong extra backup the chance to happen
	if st := s.Status(); st.LastBookings != 4 {
		t.Errorf("a backup was made before it was due: %+v", st)
	}
}

func TestFailureShownAndRetried(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	fb := &fakeBackup{fail: errors.New("disk full")}
	s := &Scheduler{Dir: dir, Prefix: "atelier", Every: 24 * time.Hour, Keep: 3, Backup: fb.backup, Now: c.Now,
		RetryAfter: time.Minute}
	start(t, s)

	st := waitFor(t, s, "the failure", func(st Status) bool { return st.Failures == 1 })
	if !st.Failing(c.Now()) || st.LastError != "disk full" || !st.Next.Equal(c.Now().Add(time.Minute)) {
		t.Errorf("after a failure: %+v", st)
	}
	// Retries back off: 1, 2, 4 minutes.
	c.Add(time.Minute)
	s.Wake()
	st = waitFor(t, s, "the second failure", func(st Status) bool { return st.Failures == 2 })
	if want := c.Now().Add(2 * time.Minute); !st.Next.Equal(want) {
		t.Errorf("second retry at %s, want %s", st.Next, want)
	}
	fb.setFail(nil)
	c.Add(2 * time.Minute)
	s.Wake()
	st = waitFor(t, s, "the recovery", func(st Status) bool { return st.Kept == 1 })
	if st.Failing(c.Now()) || st.LastError != "" || st.Failures != 0 {
		t.Errorf("after a good backup: %+v", st)
	}
	// A schedule that stops producing backups is failing too.
	c.Add(49 * time.Hour)
	if !s.Status().Failing(c.Now()) {
		t.Error("a backup two days old is not reported")
	}
}

// TestRestartKeepsSchedule: the newest backup already in the folder sets
// the next due time, so a restart makes no extra backup.
func TestRestartKeepsSchedule(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "atelier-20261201T020000Z.db"), []byte("older"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	fb := &fakeBackup{}
	s := &Scheduler{Dir: dir, Prefix: "atelier", Every: 6 * time.Hour, Keep: 3, Backup: fb.backup, Now: c.Now}
	start(t, s)
	st := waitFor(t, s, "the schedule", func(st Status) bool { return !st.Next.IsZero() })
	if want := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC); !st.Next.Equal(want) || st.LastBytes != 5 || st.Failing(c.Now()) {
		t.Errorf("status after a restart %+v, want next at %s from the file's time", st, want)
	}
	c.Add(5 * time.Hour)
	s.Wake()
	waitFor(t, s, "the due backup", func(st Status) bool { return st.Kept == 2 })
}
