package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atelier-app/atelier/internal/httpx"
)

// TestHealthRepliesPart: the shape of the real "replies" part
// (cmd/atelier/replies.go, the reader of replies to invitations) is the
// one the document describes, and a failing reader degrades the answer.
func TestHealthRepliesPart(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	e.Server.AddHealth("replies", func(context.Context) (any, bool) {
		return map[string]any{"state": "failing", "problem": "login", "since": "2026-12-01T09:00:00+00:00",
			"failures": 3, "last_check": nil, "mode": "idle", "acted": 2, "refused": 1,
			"skipped": map[string]int{"too_large": 1}, "moving": "ok"}, true
	})
	var got struct {
		Status  string
		Replies struct{ State, Problem string }
	}
	r := e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "degraded" || got.Replies.State != "failing" || got.Replies.Problem != "login" {
		t.Errorf("healthz: %d %s", r.Status, r.Body)
	}
}
