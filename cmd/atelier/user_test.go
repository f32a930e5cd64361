package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
)

// runMain runs Main with stdin and returns stdout, stderr and the error.
func runMain(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Main(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return out.String(), errOut.String(), err
}

func cheapPasswords(t *testing.T) {
	t.Helper()
	old := passwordParams
	passwordParams = auth.TestParams
	t.Cleanup(func() { passwordParams = old })
}

func TestUserCommands(t *testing.T) {
	cheapPasswords(t)
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

// TestUserAddThenLogin creates an account with the command line, starts
// the server with Main and signs in over HTTP.
func TestUserAddThenLogin(t *testing.T) {
	cheapPasswords(t)
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
