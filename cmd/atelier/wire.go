package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/meeting"
	"github.com/atelier-app/atelier/internal/outbox"
)

// server is what build makes: the store, the HTTP handler, and the
// background work, not started yet.
type server struct {
	db      database
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
//  1. the mail renderer's options (newMailOptions);
//  2. the store with its outbox, and the bell its commits ring to wake the
//     job runners (openOutboxStore);
//  3. the database's start-up upkeep (upkeep);
//  4. video links and the Google Calendar sync (newGoogle);
//  5. the application service, from all its parts at once (app.New);
//  6. the background work: the job runners (jobRunners), the inbound
//     calendar sync, housekeeping, backups and the reader of replies to
//     invitations, returned, not started;
//  7. the metrics collectors and the HTTP handler.
//
// The listener is open already, so cfg.Server.PublicURL is final. On an
// error the store is closed again.
func build(ctx context.Context, cfg *config.Config, seams Seams, o *ops, logger *slog.Logger) (_ *server, err error) {
	fileCat, err := cfg.Catalog()
	if err != nil {
		return nil, err
	}
	langs, err := cfg.Catalogue()
	if err != nil {
		return nil, err
	}
	cat := &storeCatalog{file: fileCat}
	mailOpts := newMailOptions(cfg, cat, langs)
	mailOpts.Now = seams.now()
	db, bell, wake, err := openOutboxStore(ctx, cfg, fileCat, mailOpts, logger)
	if err != nil {
		return nil, err
	}
	cat.use(db)
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if err := upkeep(ctx, cfg, db, fileCat, logger); err != nil {
		return nil, err
	}
	g, err := newGoogle(cfg, db, mailOpts, o, logger)
	if err != nil {
		return nil, err
	}
	a := app.New(app.Deps{
		Store:              db,
		Now:                seams.now(),
		Logger:             logger,
		PublicURL:          cfg.Server.PublicURL,
		Meetings:           g.meetings,
		Google:             g.calendar,
		GoogleOAuth:        g.accounts,
		UTF8LocalParts:     cfg.Mail.UTF8LocalParts(),
		ManageLinks:        mail.ManageLinksJob(mailOpts),
		StaffInvite:        mail.StaffInviteJob(mailOpts),
		PrivacyLink:        mail.PrivacyLinkJob(mailOpts), // privacy.go
		RetentionYears:     cfg.Privacy.RetentionYears,
		InvitationMail:     mail.InvitationJob(mailOpts), // a commission's next step
		IdempotencyTTL:     cfg.Booking.IdempotencyTTL(),
		Metrics:            o.appMetrics(),
		SessionIdleTimeout: cfg.Staff.SessionIdleTimeout,
		SessionMaxAge:      cfg.Staff.SessionMaxAge,
		Replies:            cfg.Mail.IMAP.Enabled(), // the reader below runs
		DeclinedReply:      cfg.Mail.DeclinedReply,
		Languages:          langs,
		Advice:             invite.AdviceOf(cfg),
		CommissionStages:   cfg.Commissions.StageList(),
	})

	// Background work: the job runners, then the rest.
	background, err := jobRunners(cfg, seams, db, bell, mailOpts, g.syncer, retentionHandler(a), a, o, logger)
	if err != nil {
		return nil, err
	}
	background = append(background, wake...)
	if g.syncer != nil {
		background = append(background, work{"gcal-in", g.syncer.RunInbound})
	}
	background = append(background, work{"housekeeping", housekeeping(cfg, db, fileCat.Atelier.Zone(), logger)})
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

	o.watchStore(db, g.calendar)
	o.watchBackups(backups)
	handler, err := newHandler(cfg, a, db.sharedLimits(), backups, replyReader, o, logger)
	if err != nil {
		return nil, err
	}
	return &server{db: db, handler: handler, work: background}, nil
}

// storeCatalog is the catalogue the e-mails and invitations show: the
// store's, since admins rename services and artisans, change their e-mail
// addresses and add new ones in the app, applied at once. The mail
// renderer is made before the store (the store's commits call it), so
// the store is given to it once open (use); until then, and should the
// store not answer, the file's catalogue serves. The store's catalogue is
// database's mailCatalog: on SQLite its in-memory cache, told of every
// commit, which inside a booking's transaction is the one the transaction
// placed the booking with, read without I/O; on PostgreSQL the copy each
// server keeps for the e-mails alone, reloaded whenever any server commits
// a change to the catalogue (postgresDB.mailCatalog), so that no e-mail
// rendered inside a booking's transaction waits for a second connection.
type storeCatalog struct {
	file  *booking.Catalog
	store atomic.Pointer[database]
}

// use makes db the catalogue's source from now on.
func (c *storeCatalog) use(db database) { c.store.Store(&db) }

// get returns the current catalogue.
func (c *storeCatalog) get() *booking.Catalog {
	if db := c.store.Load(); db != nil {
		if cat, err := (*db).mailCatalog(context.Background()); err == nil {
			return cat
		}
	}
	return c.file
}

// newMailOptions are the mail renderer's options, with the store's
// catalogue (storeCatalog).
func newMailOptions(cfg *config.Config, cat *storeCatalog, langs *i18n.Catalogue) mail.Options {
	return mail.Options{
		From:           cfg.Mail.FromAddress(),
		PublicURL:      cfg.Server.PublicURL,
		Catalog:        cat.get,
		Now:            time.Now,
		ReminderBefore: time.Duration(cfg.Mail.ReminderHoursBefore) * time.Hour,
		StaffCopies:    cfg.Mail.AdminEmails,
		RSVP:           cfg.Mail.IMAP.Enabled(), // replies are read (replies.go)
		Languages:      langs,
		Advice:         invite.AdviceOf(cfg),
	}
}

// openOutboxStore opens the store with the jobs that every booking change
// (and every reply to an invitation staff are told of) queues in its
// transaction: mail, and calendar writes when Google sync is on. It
// returns the bell that its commits ring for the queues they filled.
func openOutboxStore(ctx context.Context, cfg *config.Config, cat *booking.Catalog, mailOpts mail.Options, logger *slog.Logger) (database, *outbox.Bell, []work, error) {
	// The requests' expiries (booking.RequestQueue) are written by the
	// store itself with each request.
	queues := []string{mail.Queue, booking.RequestQueue}
	jobs := []booking.JobsFunc{mail.Jobs(mailOpts)}
	if cfg.GoogleCalendar.Enabled {
		queues = append(queues, gcal.Queue)
		jobs = append(jobs, gcal.Jobs())
	}
	db, err := openDatabase(ctx, cfg, cat, storeOptions{Jobs: combineJobs(jobs...), ReplyJobs: mail.ReplyJobs(mailOpts)}, logger)
	if err != nil {
		return nil, nil, nil, err
	}
	bell := &outbox.Bell{}
	// SQLite: this process's commits ring it; PostgreSQL: the database's
	// announcements of every server's jobs (store.go).
	wake := db.wake(bell, queues, logger)
	return db, bell, wake, nil
}

// upkeep is the database's start-up work: the bookings of services or
// artisans removed from the file reported, the invite UIDs of bookings
// made before they were kept filled in, and the leases of a server that
// died released.
func upkeep(ctx context.Context, cfg *config.Config, db database, cat *booking.Catalog, logger *slog.Logger) error {
	if err := warnOrphanBookings(ctx, db, cat, logger, time.Now()); err != nil {
		return err
	}
	// Bookings made before their UID was kept get the UID their invites
	// carry, made from the public URL (see sqlite.BookingStore.FillBookingUIDs).
	publicURL := cfg.Server.PublicURL
	if n, err := db.FillBookingUIDs(ctx, func(id string) string { return invite.UID(id, publicURL) }); err != nil {
		return err
	} else if n > 0 {
		logger.Info("kept the invite UID of bookings made before this version", "count", n, "uid_host", invite.UID("", publicURL)[1:])
	}
	// Jobs still leased belong to a server that died mid-send; this
	// server's runners take them now rather than after the lease.
	if n, err := db.ReleaseLeases(ctx); err != nil {
		return err
	} else if n > 0 {
		logger.Info("resuming jobs left unfinished by the previous run", "count", n)
	}
	return nil
}

// googleParts are what video links and Google Calendar give the server.
type googleParts struct {
	syncer   *gcal.Syncer        // nil when the sync is off, like calendar and accounts
	calendar app.GoogleCalendar  // free/busy checks (counted) and sync states
	accounts app.GoogleConnector // auth oauth only
	meetings app.MeetingLinker   // Google Meet first with google_calendar.meet
}

// newGoogle makes the video-link provider and, when google_calendar is
// on, the sync.
func newGoogle(cfg *config.Config, db database, mailOpts mail.Options, o *ops, logger *slog.Logger) (googleParts, error) {
	var g googleParts
	var err error
	if g.meetings, err = meetingLinker(cfg); err != nil || !cfg.GoogleCalendar.Enabled {
		return g, err
	}
	var oauth *gcal.OAuth
	if g.syncer, oauth, err = newSyncer(cfg, db, mailOpts, logger); err != nil {
		return g, err
	}
	g.calendar = o.countGoogle(googleApp{g.syncer}) // failed free/busy checks counted (metrics.go)
	if oauth != nil {
		g.accounts = oauth
	}
	if cfg.GoogleCalendar.Meet {
		// The configured provider stays as the fallback, so a virtual
		// booking always gets a working link.
		g.meetings = &gcal.MeetLinker{Syncer: g.syncer, Fallback: g.meetings}
	}
	logger.Info("google calendar sync enabled", "auth", cfg.GoogleCalendar.Auth, "meet", cfg.GoogleCalendar.Meet,
		"sync_interval", cfg.GoogleCalendar.SyncInterval)
	return g, nil
}

// jobRunners are the runners of the job queues, one per queue, all on one
// policy and clock and woken by bell: mail, the requests' expiries, and
// the calendar writes when syncer is set.
func jobRunners(cfg *config.Config, seams Seams, db database, bell *outbox.Bell, mailOpts mail.Options, syncer *gcal.Syncer,
	retention outbox.Handler, a *app.App, o *ops, logger *slog.Logger) ([]work, error) {
	type queue struct {
		name, worker string
		handler      outbox.Handler
		// closer, when set, is closed once the runner has stopped: the
		// SMTP transport says QUIT on the connection it keeps.
		closer io.Closer
	}
	tr := mailTransport(cfg, logger)
	trCloser, _ := tr.(io.Closer)
	queues := []queue{{mail.Queue, "mail", &mail.Sender{
		Transport: tr,
		Bookings:  db,
		Links:     db,
		Options:   mailOpts,
	}, trCloser}}
	queues = append(queues, queue{booking.RequestQueue, "requests", requestExpiry(a), nil})
	if syncer != nil {
		queues = append(queues, queue{gcal.Queue, "gcal-out", syncer, nil})
	}
	queues = append(queues, queue{booking.PrivacyQueue, "privacy", retention, nil}) // privacy.go
	policy := seams.JobPolicy
	if policy.Lease == 0 {
		policy.Lease = cfg.Database.JobLease
	}
	var out []work
	for _, q := range queues {
		r, err := outbox.New(outbox.Config{
			Queue:   q.name,
			Store:   o.jobQueue(db, q.name), // failures counted (metrics.go)
			Handler: q.handler,
			Policy:  policy,
			Now:     seams.Now,
			Bell:    bell,
			Logger:  logger.With("worker", q.name),
		})
		if err != nil {
			return nil, err
		}
		run := r.Run
		if q.closer != nil {
			run = func(ctx context.Context) error {
				err := r.Run(ctx)
				if cerr := q.closer.Close(); cerr != nil {
					logger.Warn("closing the mail connection", "worker", q.worker, "err", cerr)
				}
				return err
			}
		}
		out = append(out, work{q.worker, run})
	}
	return out, nil
}

// requestExpiry is the handler of the requests' expiry jobs
// (booking.RequestQueue): the request is declined if still pending at its
// time, once, whichever server runs the job and whatever staff decide at
// the same moment (the store's decision is atomic; app.ExpireRequest).
func requestExpiry(a *app.App) outbox.Handler {
	return outbox.HandlerFunc(func(ctx context.Context, j booking.QueuedJob) error {
		if j.BookingID == "" {
			return outbox.Permanent(errors.New("an expiry job without its request"))
		}
		out, err := a.ExpireRequest(ctx, j.BookingID)
		switch {
		case booking.ErrorKind(err) == booking.ENOTFOUND:
			return outbox.Permanent(err)
		case err != nil:
			return err
		case !out.NotBefore.IsZero():
			return outbox.PutOff(out.NotBefore, errors.New("the request is not due to expire yet"))
		case !out.Expired:
			return outbox.Skip(out.Skipped)
		}
		return nil
	})
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
// window and the manage tokens of bookings past app.ManageTokenGrace, and
// offers the next retention erasure (privacy.go).
func housekeeping(cfg *config.Config, db database, loc *time.Location, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			offerRetention(ctx, db, cfg.Privacy.RetentionYears, loc, time.Now(), logger)
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
