// Package backup runs the server's scheduled backups (database.backups):
// a copy of the database every so often into a folder, the oldest removed
// beyond a number to keep, and a status that /healthz and the staff home
// page show, so a failing backup is seen without reading logs.
//
// It knows nothing of the database: the copy itself is a function it is
// given (the SQLite store's online backup). It runs in its own goroutine
// and never holds anything a booking needs.
package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Result is what one backup wrote.
type Result struct {
	Bytes    int64 // size of the file
	Bookings int64 // bookings it holds
}

// Func writes a checked copy of the database to path, which does not exist
// yet; it must not leave a file at path when it fails.
type Func func(ctx context.Context, path string) (Result, error)

// stamp is the UTC time in a backup's file name: names sort by time.
const stamp = "20060102T150405Z"

// Scheduler makes a backup every Every into Dir, named
// PREFIX-YYYYMMDDTHHMMSSZ.db, and keeps the newest Keep of them. Set the
// fields before Run; Status may be called at any time.
type Scheduler struct {
	Dir    string        // the folder; created (0700) when missing
	Prefix string        // the start of the file names, e.g. "atelier"
	Every  time.Duration // time between backups
	Keep   int           // backups kept, at least 1
	Backup Func
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: discard
	// RetryAfter is the first wait after a failure, doubling at each
	// failure in a row up to Every; zero means one minute.
	RetryAfter time.Duration

	mu   sync.Mutex
	st   Status
	wake chan struct{}
}

// Status is the state of the scheduled backups.
type Status struct {
	Dir   string
	Every time.Duration
	Keep  int

	// LastSuccess is the time of the newest backup in Dir (found there at
	// start, or made since); zero when there is none.
	LastSuccess  time.Time
	LastFile     string // its path
	LastBytes    int64  // its size
	LastBookings int64  // bookings it holds (0 when found at start)

	LastAttempt time.Time // the start of the latest attempt
	LastError   string    // why the latest attempt failed; "" when it worked
	Failures    int       // failed attempts in a row
	Next        time.Time // when the next attempt is due
	Running     bool      // an attempt is under way
	Kept        int       // backups in Dir after the latest rotation
}

// Failing reports whether the backups need attention at now: the latest
// attempt failed, or the newest backup is older than two periods (the
// schedule is stuck), or none was made though one was due more than a
// period ago.
func (s Status) Failing(now time.Time) bool {
	switch {
	case s.LastError != "":
		return true
	case !s.LastSuccess.IsZero():
		return now.Sub(s.LastSuccess) > 2*s.Every
	default:
		return !s.Next.IsZero() && now.Sub(s.Next) > s.Every
	}
}

// Status returns the current status.
func (s *Scheduler) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

func (s *Scheduler) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Run makes backups until ctx ends. The first is made at once when the
// newest backup in Dir is older than Every (or there is none), else when
// it is Every old; a restart neither skips a backup nor makes an extra one.
// A failed attempt is retried after RetryAfter, doubling up to Every.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Every <= 0 || s.Keep < 1 || s.Backup == nil || s.Dir == "" {
		return errors.New("backup: the scheduler needs Dir, Every, Keep and Backup")
	}
	s.mu.Lock()
	s.st = Status{Dir: s.Dir, Every: s.Every, Keep: s.Keep}
	s.mu.Unlock()

	// The newest backup already there sets the first due time.
	next := s.now()
	if files, err := s.backups(); err == nil && len(files) > 0 {
		newest := files[len(files)-1]
		s.mu.Lock()
		s.st.LastSuccess, s.st.LastFile, s.st.Kept = newest.at, newest.path, len(files)
		if fi, err := os.Stat(newest.path); err == nil {
			s.st.LastBytes = fi.Size()
		}
		s.mu.Unlock()
		// A file from a clock ahead of ours waits no longer than a period.
		due := newest.at.Add(s.Every)
		if latest := next.Add(s.Every); due.After(latest) {
			due = latest
		}
		if due.After(next) {
			next = due
		}
	}
	s.mu.Lock()
	s.st.Next = next
	s.mu.Unlock()

	for {
		if wait := next.Sub(s.now()); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-s.wakeChan():
				t.Stop()
				continue // the clock may have moved: look again
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		next = s.runOnce(ctx)
	}
}

// Wake makes Run look at the clock again now rather than when its timer
// fires (tests move a fake clock). It never blocks.
func (s *Scheduler) Wake() {
	select {
	case s.wakeChan() <- struct{}{}:
	default:
	}
}

func (s *Scheduler) wakeChan() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wake == nil {
		s.wake = make(chan struct{}, 1)
	}
	return s.wake
}

// runOnce makes one backup and rotates; it returns when the next is due.
func (s *Scheduler) runOnce(ctx context.Context) time.Time {
	start := s.now()
	s.mu.Lock()
	s.st.Running, s.st.LastAttempt = true, start
	s.mu.Unlock()

	path := filepath.Join(s.Dir, s.Prefix+"-"+start.UTC().Format(stamp)+".db")
	var r Result
	err := os.MkdirAll(s.Dir, 0o700)
	if err != nil {
		err = fmt.Errorf("creating the backup folder: %w", err)
	} else {
		r, err = s.Backup(ctx, path)
	}
	if err != nil {
		if ctx.Err() != nil {
			// Stopping: not a failure of the backups.
			s.mu.Lock()
			s.st.Running = false
			s.mu.Unlock()
			return start
		}
		return s.failed(start, err)
	}
	kept, rotErr := s.rotate()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Running = false
	s.st.LastSuccess, s.st.LastFile, s.st.LastBytes, s.st.LastBookings = start, path, r.Bytes, r.Bookings
	s.st.Kept = kept
	if rotErr != nil {
		// The backup is good, but old ones pile up: say so until it works.
		s.st.LastError = "removing old backups: " + rotErr.Error()
		s.st.Failures++
		s.logger().Error("backup written, but old backups could not be removed", "file", path, "err", rotErr)
	} else {
		s.st.LastError, s.st.Failures = "", 0
		s.logger().Info("backup written", "file", path, "bytes", r.Bytes, "bookings", r.Bookings,
			"took", s.now().Sub(start).Round(time.Millisecond), "kept", kept)
	}
	s.st.Next = start.Add(s.Every)
	return s.st.Next
}

// failed records a failed attempt at start and returns the time of the
// retry.
func (s *Scheduler) failed(start time.Time, err error) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Running = false
	s.st.LastAttempt = start
	s.st.LastError = err.Error()
	s.st.Failures++
	retry := s.RetryAfter
	if retry <= 0 {
		retry = time.Minute
	}
	for i := 1; i < s.st.Failures && retry < s.Every; i++ {
		retry *= 2
	}
	retry = min(retry, s.Every)
	s.st.Next = start.Add(retry)
	s.logger().Error("backup failed", "dir", s.Dir, "err", err, "failures_in_a_row", s.st.Failures, "retry_at", s.st.Next)
	return s.st.Next
}

type file struct {
	path string
	at   time.Time
}

// backups lists the scheduler's own backups in Dir, oldest first. Files
// not named as it names them are never listed, so never removed.
func (s *Scheduler) backups() ([]file, error) {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("reading the backup folder: %w", err)
	}
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(s.Prefix) + `-(\d{8}T\d{6}Z)\.db$`)
	var out []file
	for _, e := range ents {
		m := re.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		at, err := time.Parse(stamp, m[1])
		if err != nil {
			continue
		}
		out = append(out, file{path: filepath.Join(s.Dir, e.Name()), at: at})
	}
	slices.SortFunc(out, func(a, b file) int { return a.at.Compare(b.at) })
	return out, nil
}

// rotate removes the oldest backups beyond Keep and returns how many are
// left.
func (s *Scheduler) rotate() (int, error) {
	files, err := s.backups()
	if err != nil {
		return 0, err
	}
	var errs []string
	left := len(files)
	for _, f := range files[:max(0, len(files)-s.Keep)] {
		if err := os.Remove(f.path); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		left--
	}
	if len(errs) > 0 {
		return left, errors.New(strings.Join(errs, "; "))
	}
	return left, nil
}
