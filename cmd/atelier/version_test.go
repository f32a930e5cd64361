package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/buildinfo"
)

// TestVersionCommand: "atelier version" and "atelier --version" print the
// same line, built from the binary's build information.
func TestVersionCommand(t *testing.T) {
	want := buildinfo.Read().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, err := runMain(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v; stderr %s", args, err, errOut)
		}
		if out != want {
			t.Errorf("%v printed %q, want %q", args, out, want)
		}
	}
	if _, _, err := runMain(t, "", "version", "extra"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("version with an argument: %v, want a usage error", err)
	}
}

// TestBuiltBinaryVersion builds the real binary from this checkout and
// checks that "atelier version" names the commit it was built from and the
// Go toolchain that built it.
func TestBuiltBinaryVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (git rev-parse HEAD: %v): the binary carries no commit to check", err)
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err != nil || !fi.IsDir() {
		// The go command looks for a .git folder; in a worktree .git is a
		// file and the build is silently not stamped.
		t.Skip("a git worktree: the go command stamps VCS information only in a checkout with a .git folder")
	}
	bin := filepath.Join(t.TempDir(), "atelier")
	// -buildvcs=true: GOFLAGS may turn stamping off, as it does on the
	// development machines; a release build stamps by default.
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatalf("atelier %s: %v", arg, err)
		}
		line := string(out)
		commit := strings.TrimSpace(string(head))[:12]
		for _, want := range []string{"atelier v", "commit " + commit, runtime.Version()} {
			if !strings.Contains(line, want) {
				t.Errorf("atelier %s printed %q, want it to contain %q", arg, line, want)
			}
		}
	}
}

// TestStartupLogAndHealthName: the start-up log line and /healthz name the
// same build as "atelier version".
func TestStartupLogAndHealthName(t *testing.T) {
	var log syncBuffer
	addr := startMainLog(t, &log, "--db", filepath.Join(t.TempDir(), "a.db"), "--addr", "127.0.0.1:0")
	v := buildinfo.Read()

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct{ Version buildinfo.Info }
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Version != v {
		t.Errorf("/healthz version %+v, want %+v", h.Version, v)
	}
	first, _, _ := strings.Cut(log.String(), "\n")
	for _, want := range []string{"msg=starting", "version=" + quoteIfNeeded(v.Version), "go=" + v.GoVersion} {
		if !strings.Contains(first, want) {
			t.Errorf("first log line %q lacks %q", first, want)
		}
	}
}

// quoteIfNeeded quotes s as slog's text handler does.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " =\"") {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return s
}
