package app

import "time"

// Metrics receives measurements of the use cases for monitoring
// (internal/metrics implements it). It carries no personal data.
type Metrics interface {
	// AvailabilityComputed is one computation of free slots (the schedule
	// read and the engine) for kind "customer" or "staff".
	AvailabilityComputed(kind string, took time.Duration)
}

// observeAvailability reports a computation that started at start. The
// wall clock measures it, not a.Now: a test clock may stand still.
func (a *App) observeAvailability(kind string, start time.Time) {
	if a.metrics != nil {
		a.metrics.AvailabilityComputed(kind, time.Since(start))
	}
}
