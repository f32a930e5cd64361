package mail

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The file names are those the regular expression used to write: every
// run of bytes outside [A-Za-z0-9_-] one "_", "none" for no booking.
func TestDirFileNameMatchesRegexp(t *testing.T) {
	unsafeName := regexp.MustCompile(`[^A-Za-z0-9_-]+`)
	want := func(now time.Time, env Envelope) string {
		id := unsafeName.ReplaceAllString(env.BookingID, "_")
		if id == "" {
			id = "none"
		}
		return fmt.Sprintf("%s-%s-%s-%d.eml", now.UTC().Format("20060102T150405.000Z"),
			unsafeName.ReplaceAllString(env.Kind, "_"), id, env.JobID)
	}
	rng := rand.New(rand.NewPCG(2, 12))
	pieces := []string{"a", "Z", "0", "9", "_", "-", ".", "/", " ", "..", "é", "中", "\xff", "\x00", "\\", "bk_7nyo33"}
	random := func() string {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	sgt := time.FixedZone("SGT", 8*3600)
	for range 5000 {
		now := time.Date(2026, 12, 1, 23, 7, 30, rng.IntN(1e9), sgt)
		env := Envelope{Kind: random(), BookingID: random(), JobID: rng.Int64N(1e12) - 5}
		if got, w := dirFileName(now, env), want(now, env); got != w {
			t.Fatalf("%+v: file name %q, want %q", env, got, w)
		}
	}
}

// A folder removed while the server runs is made again for the next
// message, and no temporary file is left behind.
func TestDirRemadeAfterRemoval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	d := &Dir{Path: dir, Now: func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) }}
	send := func(job int64) {
		t.Helper()
		if err := d.Send(context.Background(), Envelope{Kind: KindConfirmation, BookingID: "bk_1", JobID: job}, []byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	send(1)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	send(2)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "20261202T000000.000Z-confirmation-bk_1-2.eml" {
		t.Fatalf("outbox holds %v, want the second message alone", ents)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ents[0].Name())); err != nil || string(b) != "Subject: x\r\n\r\nbody\r\n" {
		t.Fatalf("message %q, %v", b, err)
	}
}

// A message that cannot reach its name leaves no temporary file.
func TestDirLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	d := &Dir{Path: dir, Now: func() time.Time { return now }}
	env := Envelope{Kind: KindConfirmation, BookingID: "bk_1", JobID: 7}
	// A folder in the way of the file's name: the rename fails.
	if err := os.Mkdir(filepath.Join(dir, dirFileName(now, env)), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, dirFileName(now, env), "x"), nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := d.Send(context.Background(), env, []byte("x")); err == nil {
		t.Fatal("Send over a folder succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("outbox holds %v, want the folder alone", ents)
	}
}

// A message gets its name only once it is whole: a reader (or a crash)
// before that finds no .eml of it; on Linux not even a temporary file,
// since the message is written into an unnamed file (O_TMPFILE). Both
// ways give the same file: the same name, bytes and permissions.
func TestDirNamesAMessageOnlyWhenWhole(t *testing.T) {
	msg := make([]byte, 1<<20+7) // more than one write may take
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	now := time.Date(2026, 12, 2, 1, 2, 3, 4e6, time.UTC)
	env := Envelope{Kind: KindConfirmation, BookingID: "bk_1", JobID: 9}
	for _, tc := range []struct {
		name    string
		renamed bool // force the temporary name (as on other systems)
	}{{"unnamed file", false}, {"temporary name", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "outbox")
			d := &Dir{Path: dir, Now: func() time.Time { return now }}
			d.noUnnamed.Store(tc.renamed)
			var seen []string
			d.written = func() {
				ents, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range ents {
					seen = append(seen, e.Name())
					b := mustRead(t, filepath.Join(dir, e.Name()))
					if len(b) != len(msg) {
						t.Errorf("before its name, %s holds %d of the %d bytes", e.Name(), len(b), len(msg))
					}
				}
			}
			if err := d.Send(context.Background(), env, msg); err != nil {
				t.Fatal(err)
			}
			if !tc.renamed && runtime.GOOS == "linux" {
				if d.noUnnamed.Load() {
					t.Fatal("the test folder's file system took no unnamed file")
				}
				if len(seen) != 0 {
					t.Fatalf("before its name the folder held %v, want nothing", seen)
				}
			}
			if tc.renamed && (len(seen) != 1 || !strings.HasPrefix(seen[0], ".tmp-") || !strings.HasSuffix(seen[0], ".eml")) {
				t.Fatalf("before its name the folder held %v, want one .tmp-*.eml", seen)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 1 || ents[0].Name() != "20261202T010203.004Z-confirmation-bk_1-9.eml" {
				t.Fatalf("outbox holds %v, want the message alone", ents)
			}
			if b := mustRead(t, filepath.Join(dir, ents[0].Name())); string(b) != string(msg) {
				t.Fatalf("the file holds %d bytes, not the message's %d", len(b), len(msg))
			}
			fi, err := ents[0].Info()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != 0o600 {
				t.Fatalf("file mode %v, want -rw-------", fi.Mode())
			}
		})
	}
}

// A message written again under a name already taken (the same job in
// the same millisecond) replaces the file, as the rename always did.
func TestDirReplacesAFileOfTheSameName(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	d := &Dir{Path: dir, Now: func() time.Time { return now }}
	env := Envelope{Kind: KindStaffNotice, BookingID: "bk_2", JobID: 3}
	for _, m := range []string{"first\r\n", "second\r\n"} {
		if err := d.Send(context.Background(), env, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Fatalf("outbox holds %v, want one file", ents)
	}
	if b := mustRead(t, filepath.Join(dir, ents[0].Name())); string(b) != "second\r\n" {
		t.Fatalf("the file holds %q, want the second message", b)
	}
	if d.noUnnamed.Load() {
		t.Fatal("a taken name turned unnamed files off for good")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
