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
	e.Server.AddHealth("backups", func(context.Context) (any, bool) {
		return map[string]any{"failing": failing}, failing
	})
	var got struct {
		Status  string
		Version buildinfo.Info
		Backups struct{ Failing bool }
	}
	r := e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "ok" || got.Backups.Failing || got.Version != buildinfo.Read() {
		t.Errorf("healthz: %d %s", r.Status, r.Body)
	}
	failing = true
	r = e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "degraded" || !got.Backups.Failing {
		t.Errorf("healthz with a degraded part: %d %s", r.Status, r.Body)
	}
}
