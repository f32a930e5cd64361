package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atelier-app/atelier/internal/buildinfo"
	"github.com/atelier-app/atelier/internal/httpx"
)

// TestHealthParts: parts added with AddHealth appear in /healthz; a
// degraded one makes the whole answer degraded, still 200. The running
// build is always there.
func TestHealthParts(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	failing := false
	// The shape of the real "backups" part (cmd/atelier), which the
	// document describes.
	e.Server.AddHealth("backups", func(context.Context) (any, bool) {
		status, failures := "ok", 0
		if failing {
			status, failures = "failing", 1
		}
		return map[string]any{"status": status, "last_success": nil, "last_attempt": nil, "next": nil,
			"failures": failures, "kept": 0}, failing
	})
	var got struct {
		Status  string
		Version buildinfo.Info
		Backups struct{ Status string }
	}
	r := e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "ok" || got.Backups.Status != "ok" || got.Version != buildinfo.Read() {
		t.Errorf("healthz: %d %s", r.Status, r.Body)
	}
	failing = true
	r = e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "degraded" || got.Backups.Status != "failing" {
		t.Errorf("healthz with a degraded part: %d %s", r.Status, r.Body)
	}
}
