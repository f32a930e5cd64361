package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestGlobalFlagsEverywhere: --config, --db and --addr are accepted before
// and after every command's name alike (--addr only matters to serve),
// and a missing --config file is named as such.
func TestGlobalFlagsEverywhere(t *testing.T) {
	t.Chdir(t.TempDir()) // the demo configuration's relative paths land here
	db := filepath.Join(t.TempDir(), "atelier.db")
	if _, errOut, err := runMain(t, "a long enough password\n", "user", "add", "--db", db,
		"--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v; %s", err, errOut) // list and disable need an existing database
	}
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for success
		wantOut string
	}{
		{"AddrBeforeUser", []string{"--addr", "127.0.0.1:9", "--db", db, "user", "list"}, "", "EMAIL"},
		{"AddrAfterUser", []string{"user", "list", "--addr", "127.0.0.1:9", "--db", db}, "", "EMAIL"},
		{"AddrAfterUserDisable", []string{"user", "disable", "--addr", "127.0.0.1:9", "--db", db, "--email", "nobody@example.com"}, "not found", ""},
		{"UnknownFlagStillUsage", []string{"user", "list", "--port", "9"}, "usage", ""},
		{"MissingConfigBeforeUser", []string{"--config", missing, "user", "list"}, "--config: " + missing + ": no such file", ""},
		{"MissingConfigAfterUser", []string{"user", "list", "--config", missing}, "--config: " + missing + ": no such file", ""},
		{"MissingConfigServe", []string{"--config", missing, "--addr", "127.0.0.1:0"}, "--config: " + missing + ": no such file", ""},
		{"MissingConfigServeAfter", []string{"serve", "--config", missing}, "--config: " + missing + ": no such file", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runMain(t, "", tc.args...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v; stderr %s", err, errOut)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one mentioning %q; stderr %s", err, tc.wantErr, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout %q, want it to contain %q", out, tc.wantOut)
			}
			if strings.HasPrefix(tc.name, "MissingConfig") && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %v does not wrap fs.ErrNotExist", err)
			}
		})
	}
}
