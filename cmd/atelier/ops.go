package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/backup"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// newBackups is the scheduler of database.backups (its Run is background
// work of the server), nil when they are off.
func newBackups(cfg *config.Config, db database, logger *slog.Logger) *backup.Scheduler {
	b := cfg.Database.Backups
	copyTo := db.backup()
	if !b.Enabled() || copyTo == nil {
		return nil
	}
	base := filepath.Base(cfg.Database.Path)
	s := &backup.Scheduler{
		Dir:    b.Dir,
		Prefix: strings.TrimSuffix(base, filepath.Ext(base)),
		Every:  b.Every,
		Keep:   b.Keep,
		Backup: func(ctx context.Context, path string) (backup.Result, error) {
			r, err := copyTo(ctx, path, false)
			if err != nil {
				return backup.Result{}, err
			}
			return backup.Result{Bytes: r.Bytes, Bookings: r.Rows("bookings")}, nil
		},
		Logger: logger.With("worker", "backup"),
	}
	dir, _ := filepath.Abs(b.Dir)
	logger.Info("scheduled backups", "dir", dir, "every", b.Every, "keep", b.Keep)
	return s
}

// backupHealth is the "backups" member of /healthz. It names no file or
// folder and carries no error text (the page is public): staff see the
// reason on the staff home page, operators in the log.
type backupHealth struct {
	Status      string        `json:"status"` // ok | failing | pending (none made yet)
	LastSuccess *httpapi.Time `json:"last_success"`
	LastAttempt *httpapi.Time `json:"last_attempt"`
	Next        *httpapi.Time `json:"next"`
	Failures    int           `json:"failures"` // failed attempts in a row
	Kept        int           `json:"kept"`
}

func backupHealthOf(st backup.Status, now time.Time) (backupHealth, bool) {
	h := backupHealth{Status: "ok", Failures: st.Failures, Kept: st.Kept,
		LastSuccess: timeOrNil(st.LastSuccess), LastAttempt: timeOrNil(st.LastAttempt), Next: timeOrNil(st.Next)}
	failing := st.Failing(now)
	switch {
	case failing:
		h.Status = "failing"
	case st.LastSuccess.IsZero():
		h.Status = "pending"
	}
	return h, failing
}

func timeOrNil(t time.Time) *httpapi.Time {
	if t.IsZero() {
		return nil
	}
	// To the second, as every other instant of the API (a fraction here
	// would be the scheduler's clock reading, of no use to a reader).
	v := httpapi.At(t.UTC().Truncate(time.Second))
	return &v
}
