package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/backup"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/buildinfo"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/replies"
	"github.com/atelier-app/atelier/internal/web"
)

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// warnOrphanBookings logs the coming confirmed bookings whose service or
// artisan was removed from the configuration file: they stay booked (and
// show the names kept with them), but staff should move, reassign or
// cancel them. Only ids and times are logged, never customer details.
func warnOrphanBookings(ctx context.Context, db database, cat *booking.Catalog, logger *slog.Logger, now time.Time) error {
	orphans, err := db.orphans(ctx, now)
	if err != nil {
		return err
	}
	if len(orphans) == 0 {
		return nil
	}
	loc := time.UTC
	if cat.Atelier.Location != nil {
		loc = cat.Atelier.Location
	}
	logger.Warn("coming bookings of services or artisans no longer offered (removed from the configuration file or withdrawn in the app): they stay booked; move, reassign or cancel them",
		"count", len(orphans))
	for _, o := range orphans {
		var removed []string
		if o.ServiceRemoved {
			removed = append(removed, "service")
		}
		if o.ArtisanRemoved {
			removed = append(removed, "artisan")
		}
		logger.Warn("booking of a removed "+strings.Join(removed, " and "), "booking", o.ID,
			"start", o.Start.In(loc).Format(time.RFC3339), "end", o.End.In(loc).Format(time.RFC3339),
			"service", o.ServiceID, "artisan", o.ArtisanID)
	}
	return nil
}

// newHandler builds the one HTTP edge (internal/httpx: router,
// middleware, sessions, limits) and registers both adapters on it, the
// JSON API first and the pages last (their last route answers every GET
// no other route matched). They share the edge's sessions and limits: one
// sign-in serves both, and bookings per minute and the sign-in limits
// count a client once, whichever way it comes in.
func newHandler(cfg *config.Config, a *app.App, limits httpx.LimitStore, backups *backup.Scheduler, replyReader *replies.Reader, o *ops, logger *slog.Logger) (http.Handler, error) {
	edge := httpx.New(httpx.Config{
		PublicURL:           cfg.Server.PublicURL,
		TrustedProxies:      cfg.Server.TrustedPrefixes,
		BookingsPerMinute:   cfg.Limits.BookingsPerMinute,
		LinkRequestsPerHour: cfg.Limits.LinkRequestsPerHour,
		LoginsPerMinute:     cfg.Limits.LoginsPerMinute,
		SharedLimits:        limits, // PostgreSQL: one budget for every server
		Metrics:             o.requestObserver(),
		Accounts:            a,
	}, logger)
	api := httpapi.New(edge, a)
	edge.Router().Handle("/readyz", o.ready).Methods(http.MethodGet, http.MethodHead)
	api.EnableStaff(a)
	// The customer pages, after the API: the booking flow at / and the
	// manage page that links.manage and the e-mails point to.
	pages, err := web.New(edge, atelier.Web, a)
	if err != nil {
		return nil, fmt.Errorf("loading the web pages: %w", err)
	}
	if err := pages.UseConfig(cfg); err != nil {
		return nil, fmt.Errorf("loading the pictures: %w", err)
	}
	var staffPages web.StaffConfig
	if backups != nil {
		staffPages.Backups = backups.Status
		api.AddHealth("backups", func(context.Context) (any, bool) { return backupHealthOf(backups.Status(), time.Now()) })
	}
	if replyReader != nil {
		api.AddHealth("replies", func(context.Context) (any, bool) { return replyHealthOf(replyReader.Status()) })
	}
	pages.EnableStaff(a, staffPages)
	pages.Register()
	return edge.Handler(), nil
}

// serve runs the HTTP server until ctx is cancelled, then drains in-flight
// requests and stops the background workers.
func serve(ctx context.Context, g globalFlags, env Env) error {
	cfg, source, err := loadStoreConfig(g)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, env.Stderr)
	v := buildinfo.Read()
	logger.Info("starting", "version", v.Version, "commit", v.Commit, "commit_time", v.CommitTime, "go", v.GoVersion,
		"config", source, "database", databaseName(cfg), "atelier", cfg.Atelier.Name)
	// Readiness, and the metrics listener when configured (metrics.go).
	o, err := startOps(cfg, logger, env)
	if err != nil {
		return err
	}
	defer o.stop() // last: after the workers stopped
	// HTTPS without a proxy (tls.go): a bad certificate stops the start here.
	ts, err := newTLS(cfg, logger)
	if err != nil {
		return err
	}

	for _, w := range cfg.Warnings() {
		logger.Warn(w)
	}

	// Listen before anything uses the public URL: with port 0 the real
	// port is known only now, and a public URL that mirrors the listen
	// address follows it.
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Server.Addr, err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	if _, port, _ := net.SplitHostPort(cfg.Server.Addr); port == "0" {
		moveAddr(cfg, addr)
	}

	// Everything else, in order (wire.go).
	s, err := build(ctx, cfg, env.Seams, o, logger)
	if err != nil {
		return err
	}
	defer s.db.Close()
	// Background work runs until workCtx ends, after the HTTP server has
	// drained, so that jobs written by the last requests are still picked up
	// on the next start (they are durable) and nothing is cut mid-send.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	defer func() {
		stopWork()
		workers.Wait()
	}()
	s.start(workCtx, &workers, logger)

	srv := &http.Server{
		Handler:           s.handler,
		ReadTimeout:       cfg.Server.ReadTimeout,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout,
		WriteTimeout:      cfg.Server.WriteTimeout,
		IdleTimeout:       cfg.Server.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	stopRedirect, err := ts.startRedirect(cfg, logger, env)
	if err != nil {
		return err
	}
	defer stopRedirect()
	o.setReady() // /readyz: 200 from the first connection on
	logger.Info("listening", "addr", addr, "url", ts.scheme()+"://"+addr+"/")
	if env.Ready != nil {
		env.Ready(addr)
	}

	served := make(chan error, 1)
	go func() { served <- ts.serve(srv, ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	o.setDraining()
	logger.Info("shutting down: finishing in-flight requests", "grace", cfg.Server.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
