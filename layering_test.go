package atelier_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain and the engine stand alone, and the HTTP adapters never reach
// into the store: only cmd/atelier wires adapters together (STYLE.md). The
// store never builds the Google client in: the calendar sync state it keeps
// is in internal/calsync. The two HTTP adapters (JSON API and pages) share
// only the edge, internal/httpx, which imports neither of them nor the
// store.
func TestLayering(t *testing.T) {
	const (
		mod = "github.com/atelier-app/atelier/"
		// googleAPI is the Google client (with it come gRPC and some 60
		// more packages).
		googleAPI = "google.golang.org/api"
	)
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"internal/booking", []string{"internal/"}},
		// The engine is pure functions over the domain's values.
		{"internal/availability", []string{"internal/"}},
		// The configuration is read and checked alone, so every adapter may
		// take its section from it.
		{"internal/config", []string{"internal/sqlite", "internal/app", "internal/httpx", "internal/httpapi", "internal/web", "internal/mail", "internal/gcal", "internal/outbox", "internal/invite", googleAPI}},
		{"internal/app", []string{"internal/sqlite", "internal/httpapi", "internal/web"}},
		{"internal/httpx", []string{"internal/sqlite", "internal/httpapi", "internal/web"}},
		{"internal/httpapi", []string{"internal/sqlite", "internal/web"}},
		{"internal/web", []string{"internal/sqlite", "internal/httpapi"}},
		{"internal/invite", []string{"internal/sqlite", "internal/httpapi", "internal/app"}},
		{"internal/mail", []string{"internal/sqlite", "internal/httpapi", "internal/app"}},
		// The reply reader hands replies to an interface (app.App) and keeps its
		// cursor through another (sqlite.ReplyStore): cmd/atelier wires them.
		{"internal/replies", []string{"internal/sqlite", "internal/httpapi", "internal/web", "internal/app"}},
		{"internal/metrics", []string{"internal/sqlite", "internal/httpapi", "internal/web", "internal/app"}},
		{"internal/backup", []string{"internal/sqlite", "internal/httpapi", "internal/web", "internal/app"}},
		{"internal/sqlite", []string{"internal/gcal", "internal/app", "internal/httpapi", "internal/web", googleAPI}},
		// The PostgreSQL store stands beside SQLite's, sharing only the
		// domain (and its contract tests, internal/storetest).
		{"internal/postgres", []string{"internal/sqlite", "internal/gcal", "internal/app", "internal/httpx", "internal/httpapi", "internal/web", googleAPI}},
		{"internal/calsync", []string{"internal/", googleAPI}},
		// The job runner takes its store and handlers as interfaces.
		{"internal/outbox", []string{"internal/sqlite", "internal/mail", "internal/gcal", "internal/httpapi", "internal/web", "internal/app", googleAPI}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "./"+tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps ./%s: %v", tt.pkg, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range tt.forbidden {
					if !strings.HasPrefix(f, "internal/") {
						// Outside the module: f is a whole import path prefix.
						if dep == f || strings.HasPrefix(dep, f+"/") {
							t.Errorf("%s imports %s", tt.pkg, dep)
						}
						continue
					}
					rel, ok := strings.CutPrefix(dep, mod)
					if !ok || rel == tt.pkg {
						continue
					}
					// "internal/" forbids every package of ours but the
					// domain; "internal/mail" forbids it and its
					// sub-packages, not internal/mailaddr.
					under := rel == f || strings.HasPrefix(rel, strings.TrimSuffix(f, "/")+"/")
					if under && !(f == "internal/" && rel == "internal/booking") {
						t.Errorf("%s imports %s", tt.pkg, rel)
					}
				}
			}
		})
	}
}

// The domain, the first package a newcomer opens, needs nothing but the
// standard library: no module of ours, no third-party one.
func TestDomainNeedsOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./internal/booking").Output()
	if err != nil {
		t.Fatalf("go list -deps ./internal/booking: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/atelier-app/atelier/internal/booking" {
			t.Errorf("internal/booking imports %s", dep)
		}
	}
}
