package gcal

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/calsync"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

// class is what to do about an error from Google.
type class int

const (
	classRetry     class = iota // transient: back off and try again
	classStop                   // stop the artisan's sync until reconnected
	classGone                   // 404 or 410: the thing is not there
	classConflict               // 409: the event id exists already
	classPermanent              // this request will never succeed
)

// failure is an error from Google, classified.
type failure struct {
	class      class
	state      calsync.ConnState // for classStop
	retryAfter time.Duration     // for classRetry, from Retry-After (0: none)
	err        error
}

// errNotConnected is returned for an artisan with no credentials.
var errNotConnected = errors.New("google calendar is not connected for this artisan")

// classify sorts err by what the caller should do about it. now is used to
// read Retry-After given as an HTTP date.
func classify(err error, now time.Time) failure {
	// Unknown errors (the store, the network) are transient; only Google
	// saying a request is wrong makes it permanent.
	f := failure{class: classRetry, err: err}
	var gerr *googleapi.Error
	var rerr *oauth2.RetrieveError
	switch {
	case errors.Is(err, errNotConnected):
		f.class, f.state = classStop, calsync.StateNotConnected
	case errors.As(err, &rerr):
		// The token endpoint refused to refresh: the grant is gone
		// (revoked, expired, password changed), or our client is wrong.
		switch {
		case rerr.ErrorCode == "invalid_grant", rerr.ErrorCode == "unauthorized_client",
			rerr.ErrorCode == "invalid_client", rerr.Response != nil && rerr.Response.StatusCode == http.StatusUnauthorized:
			f.class, f.state = classStop, calsync.StateDisconnected
		case rerr.Response != nil && rerr.Response.StatusCode >= 500:
			f.class = classRetry
		default:
			f.class, f.state = classStop, calsync.StateDisconnected
		}
	case errors.As(err, &gerr):
		f.retryAfter = retryAfter(gerr.Header, now)
		reason := errorReason(gerr)
		f.class = classPermanent
		switch {
		case gerr.Code == http.StatusTooManyRequests, gerr.Code >= 500:
			f.class = classRetry
		case gerr.Code == http.StatusForbidden && (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded"):
			f.class = classRetry
		case gerr.Code == http.StatusForbidden && (reason == "quotaExceeded" || reason == "dailyLimitExceeded"):
			f.class, f.state = classStop, calsync.StateError
		case gerr.Code == http.StatusUnauthorized:
			f.class, f.state = classStop, calsync.StateDisconnected
		case gerr.Code == http.StatusNotFound, gerr.Code == http.StatusGone:
			f.class = classGone
		case gerr.Code == http.StatusConflict:
			f.class = classConflict
		case gerr.Code == http.StatusPreconditionFailed, gerr.Code == http.StatusRequestTimeout:
			f.class = classRetry
		}
	}
	return f
}

// errorReason returns the first reason of a Google API error.
func errorReason(e *googleapi.Error) string {
	for _, it := range e.Errors {
		if it.Reason != "" {
			return it.Reason
		}
	}
	return ""
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// call runs fn, retrying transient failures in process up to s.retryTries
// times. A Retry-After longer than the in-process backoff cap is not waited
// for here: the error is returned and the job queue retries at that time.
func (s *Syncer) call(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for n := 0; ; n++ {
		if err = fn(ctx); err == nil {
			return nil
		}
		f := classify(err, s.now())
		if f.class != classRetry || n+1 >= s.opts.RetryTries || ctx.Err() != nil {
			return err
		}
		if f.retryAfter > s.opts.Retry.Max {
			return err
		}
		d := s.opts.Retry.Delay(n, f.retryAfter, rand.Float64())
		s.log.Debug("gcal: retrying", "in", d, "err", err)
		if serr := s.opts.Sleep(ctx, d); serr != nil {
			return fmt.Errorf("%w (retry interrupted: %w)", err, serr)
		}
	}
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
