package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
)

// runMain runs Main with stdin, cheap password hashes, and returns
// stdout, stderr and the error.
func runMain(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Main(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Seams: Seams{PasswordParams: &auth.TestParams}})
	return out.String(), errOut.String(), err
}

func TestUserCommands(t *testing.T) {
	t.Chdir(t.TempDir()) // the demo configuration's relative paths land here
	db := filepath.Join(t.TempDir(), "atelier.db")
	const pw = "a long enough password\n"

	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string // "" for success
		wantOut string
	}{
		{"AddAdmin", pw, []string{"--db", db, "user", "add", "--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"}, "", "created admin account boss@example.com"},
		{"AddArtisan", pw, []string{"user", "add", "--db", db, "--email", "mei@example.com", "--name", "Mei", "--role", "artisan", "--artisan", "mei", "--password-stdin"}, "", "created artisan account"},
		{"DuplicateEmail", pw, []string{"user", "add", "--db", db, "--email", "BOSS@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"}, "exists already", ""},
		{"ShortPassword", "short\n", []string{"user", "add", "--db", db, "--email", "x@example.com", "--name", "X", "--role", "admin", "--password-stdin"}, "at least 12 characters", ""},
		{"NoPasswordStdin", "", []string{"user", "add", "--db", db, "--email", "x@example.com", "--name", "X", "--role", "admin"}, "--password-stdin", ""},
		{"ArtisanWithoutID", pw, []string{"user", "add", "--db", db, "--email", "x@example.com", "--name", "X", "--role", "artisan", "--password-stdin"}, "--artisan", ""},
		{"UnknownArtisan", pw, []string{"user", "add", "--db", db, "--email", "x@example.com", "--name", "X", "--role", "artisan", "--artisan", "nobody", "--password-stdin"}, "artisan", ""},
		{"BadRole", pw, []string{"user", "add", "--db", db, "--email", "x@example.com", "--name", "X", "--role", "owner", "--password-stdin"}, "--role", ""},
		{"List", "", []string{"user", "list", "--db", db}, "", "mei@example.com"},
		{"Passwd", "another long password\n", []string{"user", "passwd", "--db", db, "--email", "mei@example.com", "--password-stdin"}, "", "password changed"},
		{"PasswdUnknown", pw, []string{"user", "passwd", "--db", db, "--email", "nobody@example.com", "--password-stdin"}, "not found", ""},
		{"Disable", "", []string{"user", "disable", "--db", db, "--email", "mei@example.com"}, "", "disabled mei@example.com"},
		{"ListShowsDisabled", "", []string{"user", "list", "--db", db}, "", "disabled"},
		{"Enable", "", []string{"user", "enable", "--db", db, "--email", "MEI@example.com"}, "", "enabled MEI@example.com"},
		{"ListShowsEnabled", "", []string{"user", "list", "--db", db}, "", "mei@example.com   Mei   artisan  mei      active"},
		{"EnableUnknown", "", []string{"user", "enable", "--db", db, "--email", "nobody@example.com"}, "not found", ""},
		{"EnableWithoutEmail", "", []string{"user", "enable", "--db", db}, "--email", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runMain(t, tc.stdin, tc.args...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v; stderr %s", err, errOut)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one mentioning %q", err, tc.wantErr)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout %q, want it to contain %q", out, tc.wantOut)
			}
		})
	}
}

// TestUserCommandsNameTheDatabase: every user command says which
// database file it used, as an absolute path, before it acts.
func TestUserCommandsNameTheDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const pw = "a long enough password\n"
	want := "database: " + filepath.Join(dir, "staff.db")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"Add", pw, []string{"user", "add", "--db", "staff.db", "--email", "mei@example.com", "--name", "Mei", "--role", "artisan", "--artisan", "mei", "--password-stdin"}},
		{"List", "", []string{"user", "list", "--db", "staff.db"}},
		{"Passwd", pw, []string{"--db", "staff.db", "user", "passwd", "--email", "mei@example.com", "--password-stdin"}},
		{"Disable", "", []string{"user", "disable", "--db", "staff.db", "--email", "mei@example.com"}},
		{"Enable", "", []string{"user", "enable", "--db", "staff.db", "--email", "mei@example.com"}},
		{"FailureToo", "", []string{"user", "disable", "--db", "staff.db", "--email", "nobody@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := runMain(t, tc.stdin, tc.args...)
			if err != nil && tc.name != "FailureToo" {
				t.Fatalf("%v; stderr %s", err, errOut)
			}
			if !strings.Contains(errOut, want+"\n") {
				t.Errorf("stderr %q, want it to name the database (%q)", errOut, want)
			}
		})
	}
}

// TestUserCommandsNeedAnExistingDatabase: only user add creates a
// database; the others refuse a missing or empty file with an error that
// names it, and create nothing.
func TestUserCommandsNeedAnExistingDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	missing := filepath.Join(dir, "typo.db")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"List", "", []string{"user", "list"}},
		{"Passwd", "another long password\n", []string{"user", "passwd", "--email", "mei@example.com", "--password-stdin"}},
		{"Disable", "", []string{"user", "disable", "--email", "mei@example.com"}},
		{"Enable", "", []string{"user", "enable", "--email", "mei@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{missing, empty} {
				_, _, err := runMain(t, tc.stdin, append(tc.args, "--db", path)...)
				if err == nil || !strings.Contains(err.Error(), path) {
					t.Errorf("on %s: error %v, want one naming the file", filepath.Base(path), err)
				}
			}
			if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s was created (%v)", filepath.Base(missing), err)
			}
			if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
				t.Errorf("the empty file was changed: %v, %v", fi, err)
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				if _, err := os.Stat(empty + suffix); err == nil {
					t.Errorf("%s%s was created", filepath.Base(empty), suffix)
				}
			}
		})
	}
	// The demo configuration's database.path is relative: a user command
	// run in a folder without it says so instead of making one.
	_, _, err := runMain(t, "", "user", "list")
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "atelier.db")) {
		t.Errorf("user list in an empty folder: %v, want an error naming %s", err, filepath.Join(dir, "atelier.db"))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries after the refusals, want only the empty file", len(entries))
	}
	// user add creates it.
	if _, errOut, err := runMain(t, "a long enough password\n", "user", "add", "--db", missing,
		"--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v; %s", err, errOut)
	}
	if out, _, err := runMain(t, "", "user", "list", "--db", missing); err != nil || !strings.Contains(out, "boss@example.com") {
		t.Errorf("list after add: %q, %v", out, err)
	}
}

// TestUserAddThenLogin creates an account with the command line, starts
// the server with Main and signs in over HTTP.
func TestUserAddThenLogin(t *testing.T) {
	t.Chdir(t.TempDir())
	db := filepath.Join(t.TempDir(), "atelier.db")
	if _, errOut, err := runMain(t, "a long enough password\n", "--db", db, "user", "add",
		"--email", "mei@example.com", "--name", "Mei", "--role", "artisan", "--artisan", "mei", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v; %s", err, errOut)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- Main(ctx, []string{"--db", db, "--addr", "127.0.0.1:0"},
			Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &logs, Ready: func(a string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	login := func(password string) *http.Response {
		body, _ := json.Marshal(map[string]string{"email": "mei@example.com", "password": password})
		resp, err := http.Post("http://"+addr+"/api/v1/staff/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := login("not the password!"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", resp.StatusCode)
	}
	resp := login("a long enough password")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d, want 200", resp.StatusCode)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "atelier_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly {
		t.Fatalf("login cookie = %+v, want an HttpOnly session cookie", cookie)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/staff/me", nil)
	req.AddCookie(cookie)
	me, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer me.Body.Close()
	var u struct{ Email, Role, Artisan string }
	if err := json.NewDecoder(me.Body).Decode(&u); err != nil || me.StatusCode != http.StatusOK {
		t.Fatalf("GET /me: %d, %v", me.StatusCode, err)
	}
	if u.Email != "mei@example.com" || u.Role != "artisan" || u.Artisan != "mei" {
		t.Errorf("me = %+v", u)
	}
}
