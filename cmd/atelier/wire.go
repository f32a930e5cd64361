package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/invite"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/meeting"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// server is what build makes: the store, the HTTP handler, and the
// background work, not started yet.
type server struct {
	db      *sqlite.Store
	handler http.Handler
	work    []work
}

// work is a background loop of the server; it runs until its context ends.
type work struct {
	name string
	run  func(context.Context) error
}

// start runs every background loop, tracked by wg; a loop that ends
// before ctx does is logged.
func (s *server) start(ctx context.Context, wg *sync.WaitGroup, logger *slog.Logger) {
	for _, w := range s.work {
		wg.Go(func() {
			if err := w.run(ctx); err != nil && ctx.Err() == nil {
				logger.Error("background worker stopped", "worker", w.name, "err", err)
			}
		})
	}
}

// build makes the whole server from its configuration, in order, each part
// complete when it is made from the parts made before it; nothing is
// assigned to a part afterwards:
//
//  1. the mail renderer's options;
//  2. the store, with the jobs every booking change (and every reply to
//     an invitation staff are told of) queues in its transaction: mail,
//     and calendar writes when Google sync is on; and the bell its commits
//     ring to wake the job runners;
//  3. the database's start-up upkeep: the file's catalogue applied, the
//     bookings of removed services or artisans reported, old bookings'
//     invite UIDs kept, the leases of a server that died released;
//  4. video links and the Google Calendar sync;
//  5. the application service;
//  6. the background work: the job runners of the mail and calendar
//     queues, the inbound calendar sync, housekeeping, backups and the
//     reader of replies to invitations (returned, not started);
//  7. the metrics collectors and the HTTP handler.
//
// The listener is open already, so cfg.Server.PublicURL is final. On an
// error the store is closed again.
func build(ctx context.Context, cfg *config.Config, seams Seams, o *ops, logger *slog.Logger) (_ *server, err error) {
	fileCat, err := cfg.Catalog()
	if err != nil {
		return nil, err
	}

	// 1. Names, addresses and services come from the file (the store takes
	// them from it, staff change only hours) and change only on a restart,
	// so the file's catalogue serves the mail renderer.
	mailOpts := mail.Options{
		From:           cfg.Mail.FromAddress(),
		PublicURL:      cfg.Server.PublicURL,
		Catalog:        func() *booking.Catalog { return fileCat },
		Now:            time.Now,
		ReminderBefore: time.Duration(cfg.Mail.ReminderHoursBefore) * time.Hour,
		StaffCopies:    cfg.Mail.AdminEmails,
		RSVP:           cfg.Mail.IMAP.Enabled(), // replies are read (replies.go)
	}

	// 2. The store and its outbox.
	queues := []string{mail.Queue}
	jobs := []booking.JobsFunc{mail.Jobs(mailOpts)}
	if cfg.GoogleCalendar.Enabled {
		queues = append(queues, gcal.Queue)
		jobs = append(jobs, gcal.Jobs())
	}
	db, err := openStore(ctx, cfg, fileCat, sqlite.Options{Jobs: combineJobs(jobs...), ReplyJobs: mail.ReplyJobs(mailOpts)}, logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	bell := &outbox.Bell{}
	db.Subscribe(func(c sqlite.Changes) {
		if c.JobsQueued == 0 {
			return
		}
		if len(c.JobQueues) == 0 { // queued, but to which queue was not read
			bell.Ring(queues...)
			return
		}
		bell.Ring(c.JobQueues...)
	})

	// 3. Start-up upkeep.
	if err := warnOrphanBookings(ctx, db, fileCat, logger, time.Now()); err != nil {
		return nil, err
	}
	// Bookings made before their UID was kept get the UID their invites
	// carry, made from the public URL (see sqlite.BookingStore.FillBookingUIDs).
	publicURL := cfg.Server.PublicURL
	if n, err := db.FillBookingUIDs(ctx, func(id string) string { return invite.UID(id, publicURL) }); err != nil {
		return nil, err
	} else if n > 0 {
		logger.Info("kept the invite UID of bookings made before this version", "count", n, "uid_host", invite.UID("", publicURL)[1:])
	}
	// Jobs still leased belong to a server that died mid-send; this
	// server's runners take them now rather than after the lease.
	if n, err := db.ReleaseLeases(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		logger.Info("resuming jobs left unfinished by the previous run", "count", n)
	}

	// 4. Video links and Google Calendar.
	var meetings app.MeetingLinker
	if meetings, err = meetingLinker(cfg); err != nil {
		return nil, err
	}
	var (
		syncer      *gcal.Syncer
		google      app.GoogleCalendar
		googleOAuth app.GoogleConnector
	)
	if cfg.GoogleCalendar.Enabled {
		var oauth *gcal.OAuth
		if syncer, oauth, err = newSyncer(cfg, db, mailOpts, logger); err != nil {
			return nil, err
		}
		google = o.countGoogle(googleApp{syncer}) // failed free/busy checks counted (metrics.go)
		if oauth != nil {
			googleOAuth = oauth
		}
		if cfg.GoogleCalendar.Meet {
			// The configured provider stays as the fallback, so a virtual
			// booking always gets a working link.
			meetings = &gcal.MeetLinker{Syncer: syncer, Fallback: meetings}
		}
		logger.Info("google calendar sync enabled", "auth", cfg.GoogleCalendar.Auth, "meet", cfg.GoogleCalendar.Meet,
			"sync_interval", cfg.GoogleCalendar.SyncInterval)
	}

	// 5. The application service.
	a := app.New(app.Deps{
		Store:              db,
		Now:                time.Now,
		Logger:             logger,
		PublicURL:          cfg.Server.PublicURL,
		Meetings:           meetings,
		Google:             google,
		GoogleOAuth:        googleOAuth,
		UTF8LocalParts:     cfg.Mail.UTF8LocalParts(),
		ManageLinks:        mail.ManageLinksJob(mailOpts),
		IdempotencyTTL:     cfg.Booking.IdempotencyTTL(),
		Metrics:            o.appMetrics(),
		SessionIdleTimeout: cfg.Staff.SessionIdleTimeout,
		SessionMaxAge:      cfg.Staff.SessionMaxAge,
		Replies:            cfg.Mail.IMAP.Enabled(), // the reader below runs
		DeclinedReply:      cfg.Mail.DeclinedReply,
	})

	// 6. Background work. Every queue has one runner, one policy.
	runner := func(queue string, h outbox.Handler) (*outbox.Runner, error) {
		return outbox.New(outbox.Config{
			Queue:   queue,
			Store:   o.jobQueue(db.JobStore, queue), // failures counted (metrics.go)
			Handler: h,
			Policy:  seams.JobPolicy,
			Bell:    bell,
			Logger:  logger.With("worker", queue),
		})
	}
	mailer, err := runner(mail.Queue, &mail.Sender{
		Transport: mailTransport(cfg, logger),
		Bookings:  db.BookingStore,
		Links:     db.BookingStore,
		Options:   mailOpts,
	})
	if err != nil {
		return nil, err
	}
	background := []work{{"mail", mailer.Run}}
	if syncer != nil {
		calendar, err := runner(gcal.Queue, syncer)
		if err != nil {
			return nil, err
		}
		background = append(background, work{"gcal-out", calendar.Run}, work{"gcal-in", syncer.RunInbound})
	}
	background = append(background, work{"housekeeping", housekeeping(cfg, db, logger)})
	backups := newBackups(cfg, db, logger) // ops.go; nil when off
	if backups != nil {
		background = append(background, work{"backup", backups.Run})
	}
	replyReader, err := newReplies(ctx, cfg, db, a, logger) // replies.go; nil when off
	if err != nil {
		return nil, err
	}
	if replyReader != nil {
		background = append(background, work{"replies", replyReader.Run})
	}

	// 7. Metrics and the HTTP edge.
	o.watchStore(db, google)
	o.watchBackups(backups)
	handler, err := newHandler(cfg, a, backups, replyReader, o, logger)
	if err != nil {
		return nil, err
	}
	return &server{db: db, handler: handler, work: background}, nil
}

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

// housekeeping forgets, every hour, the idempotency keys past their replay
// window and the manage tokens of bookings past app.ManageTokenGrace.
func housekeeping(cfg *config.Config, db *sqlite.Store, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
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
	}
}
