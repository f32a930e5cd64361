package gcal

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/calsync"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

func TestClassify(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	gerr := func(code int, reason, retryAfter string) error {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &googleapi.Error{Code: code, Header: h, Errors: []googleapi.ErrorItem{{Reason: reason}}}
	}
	for _, tc := range []struct {
		name       string
		err        error
		class      class
		state      calsync.ConnState
		retryAfter time.Duration
	}{
		{"ServerError", gerr(500, "backendError", ""), classRetry, "", 0},
		{"TooManyRequests", gerr(429, "rateLimitExceeded", "30"), classRetry, "", 30 * time.Second},
		{"RetryAfterDate", gerr(503, "", now.Add(time.Minute).Format(http.TimeFormat)), classRetry, "", time.Minute},
		{"RateLimit403", gerr(403, "rateLimitExceeded", ""), classRetry, "", 0},
		{"UserRateLimit403", gerr(403, "userRateLimitExceeded", ""), classRetry, "", 0},
		{"QuotaExceeded", gerr(403, "quotaExceeded", ""), classStop, calsync.StateError, 0},
		{"Unauthorized", gerr(401, "authError", ""), classStop, calsync.StateDisconnected, 0},
		{"InvalidGrant", &oauth2.RetrieveError{ErrorCode: "invalid_grant", Response: &http.Response{StatusCode: 400}}, classStop, calsync.StateDisconnected, 0},
		{"Forbidden", gerr(403, "forbidden", ""), classPermanent, "", 0},
		{"BadRequest", gerr(400, "invalid", ""), classPermanent, "", 0},
		{"NotFound", gerr(404, "notFound", ""), classGone, "", 0},
		{"Gone", gerr(410, "deleted", ""), classGone, "", 0},
		{"Duplicate", gerr(409, "duplicate", ""), classConflict, "", 0},
		{"StoreFailure", errors.New("database is locked"), classRetry, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := classify(tc.err, now)
			if f.class != tc.class || f.state != tc.state || f.retryAfter != tc.retryAfter {
				t.Errorf("got class %d state %q retryAfter %s, want %d %q %s", f.class, f.state, f.retryAfter, tc.class, tc.state, tc.retryAfter)
			}
		})
	}
}
