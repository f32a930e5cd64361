package mail

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
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
