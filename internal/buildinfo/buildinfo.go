// Package buildinfo tells which build of atelier is running: the module
// version, the VCS revision and time the binary was built from, and the Go
// version, all read from the build information the Go toolchain embeds in
// every binary (runtime/debug.ReadBuildInfo). Nothing is set by hand at
// release time, so the answer cannot drift from the binary.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Info describes one build. Fields the toolchain did not record are empty
// (a test binary or a "go run" has no VCS stamp).
type Info struct {
	// Version is the main module's version: a tag such as "v1.4.0", a
	// pseudo-version ("v0.0.0-20261201135900-99fe2af1c3d4", with
	// "+dirty" for uncommitted changes) when built from a checkout, or
	// "(devel)" when the toolchain knew none.
	Version string `json:"version"`
	// Commit is the full VCS revision the binary was built from.
	Commit string `json:"commit,omitempty"`
	// CommitTime is when that revision was committed: RFC 3339 in UTC,
	// written "+00:00" as every instant of the API is.
	CommitTime string `json:"commit_time,omitempty"`
	// Modified is true when the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// GoVersion is the toolchain that built the binary ("go1.26.8").
	GoVersion string `json:"go"`
	// Platform is GOOS/GOARCH ("linux/amd64").
	Platform string `json:"platform"`
}

var (
	once   sync.Once
	cached Info
)

// Read returns the running binary's build information. It is computed
// once.
func Read() Info {
	once.Do(func() {
		bi, _ := debug.ReadBuildInfo()
		cached = From(bi)
	})
	return cached
}

// From extracts Info from build information; bi may be nil.
func From(bi *debug.BuildInfo) Info {
	info := Info{Version: "(devel)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return info
	}
	if v := bi.Main.Version; v != "" {
		info.Version = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				info.CommitTime = t.UTC().Format("2006-01-02T15:04:05-07:00")
			} else {
				info.CommitTime = s.Value
			}
		case "vcs.modified":
			info.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" && goarch != "" {
		info.Platform = goos + "/" + goarch
	}
	return info
}

// ShortCommit is the first 12 characters of Commit ("" when unknown).
func (i Info) ShortCommit() string {
	if len(i.Commit) > 12 {
		return i.Commit[:12]
	}
	return i.Commit
}

// String is the one line "atelier version" prints, e.g.
//
//	atelier v1.4.0 (commit 99fe2af1c3d4, 2026-12-01T13:59:00+00:00) go1.26.8 linux/amd64
//
// A build with uncommitted changes says "modified" after the time; one with
// no VCS stamp says "commit unknown".
func (i Info) String() string {
	vcs := "commit unknown"
	if i.Commit != "" {
		vcs = "commit " + i.ShortCommit()
		if i.CommitTime != "" {
			vcs += ", " + i.CommitTime
		}
		if i.Modified {
			vcs += ", modified"
		}
	}
	return fmt.Sprintf("atelier %s (%s) %s %s", i.Version, vcs, i.GoVersion, i.Platform)
}
