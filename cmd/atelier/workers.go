package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/meeting"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// combineJobs runs every JobsFunc for an event and returns all their jobs,
// so one booking change can enqueue mail and calendar work together.
func combineJobs(fns ...booking.JobsFunc) booking.JobsFunc {
	return func(e booking.Event) ([]booking.Job, error) {
		var all []booking.Job
		for _, fn := range fns {
			jobs, err := fn(e)
			if err != nil {
				return nil, err
			}
			all = append(all, jobs...)
		}
		return all, nil
	}
}

// meetingLinker builds the video-link provider from the configuration.
func meetingLinker(cfg *config.Config) (meeting.Linker, error) {
	urls := make(map[string]string)
	for _, a := range cfg.Artisans {
		if a.MeetingURL != "" {
			urls[a.ID] = a.MeetingURL
		}
	}
	l, err := meeting.New(meeting.Config{
		Provider:     cfg.Meetings.Provider,
		JitsiBaseURL: cfg.Meetings.JitsiBaseURL,
		ArtisanURLs:  urls,
	})
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", err)
	}
	return l, nil
}

// mailTransport is SMTP when smtp.host is set, else the .eml folder.
func mailTransport(cfg *config.Config, logger *slog.Logger) mail.Transport {
	s := cfg.Mail.SMTP
	if s.Host != "" {
		logger.Info("mail goes out by SMTP", "host", s.Host, "port", s.Port, "tls", s.TLS)
		return &mail.SMTP{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, TLS: s.TLS}
	}
	dir, _ := filepath.Abs(cfg.Mail.OutboxDir)
	logger.Info("no SMTP server configured: every e-mail is written as an .eml file", "dir", dir)
	return &mail.Dir{Path: cfg.Mail.OutboxDir, Now: time.Now, Logger: logger}
}

// jobPolicy is how the job queues are claimed and retried; zero means the
// outbox defaults. Tests shorten the backoff and the poll.
var jobPolicy outbox.Policy

// startWorkers wires the transactional outbox (mail and, when enabled,
// Google Calendar jobs written with each booking change) and starts the
// background workers. Each returns when ctx ends. The store's hooks are set
// before any worker starts: workers read them. It fills in the parts of
// the application service the workers make (meeting links, the e-mail of
// manage links, the Google Calendar sync).
func startWorkers(ctx context.Context, wg *sync.WaitGroup, cfg *config.Config, db *sqlite.Store, a *app.Deps, logger *slog.Logger, o *ops) error {
	l := &launcher{ctx: ctx, wg: wg, logger: logger, ops: o}
	// Jobs still leased belong to a server that died mid-send; hand them to
	// this server's workers now rather than after the lease.
	if n, err := db.ReleaseLeases(ctx); err != nil {
		return err
	} else if n > 0 {
		logger.Info("resuming jobs left unfinished by the previous run", "count", n)
	}
	linker, err := meetingLinker(cfg)
	if err != nil {
		return err
	}
	a.Meetings = linker

	// Names, addresses and services come from the file and change only on a
	// restart, so one snapshot serves the mail renderer.
	cat, err := db.Catalog(ctx)
	if err != nil {
		return fmt.Errorf("loading the catalogue: %w", err)
	}
	mailOpts := mail.Options{
		From:           cfg.Mail.FromAddress(),
		PublicURL:      cfg.Server.PublicURL,
		Catalog:        func() *booking.Catalog { return cat },
		Now:            time.Now,
		ReminderBefore: time.Duration(cfg.Mail.ReminderHoursBefore) * time.Hour,
		StaffCopies:    cfg.Mail.AdminEmails,
		RSVP:           cfg.Mail.IMAP.Enabled(), // replies are read (replies.go)
	}
	jobFuncs := []booking.JobsFunc{mail.Jobs(mailOpts)}
	db.ReplyJobs = mail.ReplyJobs(mailOpts)
	a.ManageLinks = mail.ManageLinksJob(mailOpts)

	mailer, err := outbox.New(outbox.Config{
		Queue: mail.Queue,
		Store: o.jobQueue(db.JobStore, mail.Queue), // failures counted (metrics.go)
		Handler: &mail.Sender{
			Transport: mailTransport(cfg, logger),
			Bookings:  db.BookingStore,
			Links:     db.BookingStore,
			Options:   mailOpts,
		},
		Policy: jobPolicy,
		Logger: logger.With("worker", "mail"),
	})
	if err != nil {
		return err
	}
	l.run("mail", mailer.Run)
	wakers := []func(){mailer.Wake}

	gcalFuncs, gcalWakers, err := startGoogle(l, cfg, db, a, mailOpts, logger)
	if err != nil {
		return err
	}
	jobFuncs = append(jobFuncs, gcalFuncs...)
	wakers = append(wakers, gcalWakers...)

	db.Jobs = combineJobs(jobFuncs...)
	// A commit that queued jobs wakes the workers.
	db.Subscribe(func(c sqlite.Changes) {
		if c.JobsQueued == 0 {
			return
		}
		for _, w := range wakers {
			w()
		}
	})

	// Housekeeping: forget idempotency keys past their replay window, and
	// the manage tokens of bookings past app.ManageTokenGrace.
	l.run("housekeeping", func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := db.PurgeIdempotency(ctx, time.Now().Add(-cfg.Booking.IdempotencyTTL())); err != nil {
				logger.Warn("purging idempotency keys", "err", err)
			} else if n > 0 {
				logger.Info("purged idempotency keys", "count", n)
			}
			if n, err := db.PurgeManageTokens(ctx, time.Now().Add(-app.ManageTokenGrace)); err != nil {
				logger.Warn("purging manage tokens", "err", err)
			} else if n > 0 {
				logger.Info("purged the manage tokens of past bookings", "count", n)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	l.start()
	return nil
}

// launcher collects background workers and starts them together once the
// wiring they read is complete.
type launcher struct {
	ctx     context.Context
	wg      *sync.WaitGroup
	logger  *slog.Logger
	ops     *ops // metrics of the job queues (metrics.go); may be nil
	pending []func()
}

// run registers fn to be started by start, tracked by wg; an unexpected end
// is logged.
func (l *launcher) run(name string, fn func(context.Context) error) {
	l.pending = append(l.pending, func() {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			if err := fn(l.ctx); err != nil && l.ctx.Err() == nil {
				l.logger.Error("background worker stopped", "worker", name, "err", err)
			}
		}()
	})
}

// start starts every registered worker.
func (l *launcher) start() {
	for _, f := range l.pending {
		f()
	}
	l.pending = nil
}

// startGoogle is in google.go.
