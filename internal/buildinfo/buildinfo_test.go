package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/atelier-app/atelier", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"},
			{Key: "GOARCH", Value: "arm64"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "99fe2af1c3d4e5f60718293a4b5c6d7e8f901234"},
			{Key: "vcs.time", Value: "2026-12-01T21:59:00+08:00"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want Info
		line string
	}{
		{"Stamped", stamped, Info{
			Version: "v1.4.0", Commit: "99fe2af1c3d4e5f60718293a4b5c6d7e8f901234", CommitTime: "2026-12-01T13:59:00+00:00",
			Modified: true, GoVersion: "go1.26.8", Platform: "linux/arm64",
		}, "atelier v1.4.0 (commit 99fe2af1c3d4, 2026-12-01T13:59:00+00:00, modified) go1.26.8 linux/arm64"},
		{"NoBuildInfo", nil, Info{Version: "(devel)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH},
			"atelier (devel) (commit unknown) " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{"NoVCS", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			Info{Version: "(devel)", GoVersion: "go1.26.8", Platform: runtime.GOOS + "/" + runtime.GOARCH},
			"atelier (devel) (commit unknown) go1.26.8 " + runtime.GOOS + "/" + runtime.GOARCH},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := From(tt.bi)
			if got != tt.want {
				t.Errorf("From = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.line {
				t.Errorf("String = %q, want %q", s, tt.line)
			}
		})
	}
}
