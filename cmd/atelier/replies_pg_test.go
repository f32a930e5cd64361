package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

// TestRepliesWithSeveralServers: two servers on one PostgreSQL database
// read the one organizer mailbox. The customer's "Yes" to one booking
// leaves it confirmed; their "No" to a second cancels it, on both servers,
// and its time is free again; each message is acted on by one server.
func TestRepliesWithSeveralServers(t *testing.T) {
	url := pgtest.Database(t)
	mb := startMailbox(t)
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := postgresConfig(t, dir, url, "")
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edits := imapConfig(t, mb, "app-password")
	yaml := strings.Replace(string(text), edits[0], edits[1], 1)
	if yaml == string(text) {
		t.Fatal("the configuration has no mail.imap block to replace")
	}
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0").addr)
	b := newAPI(t, startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0").addr)

	slots := spread(a.freeSlots(), 3*time.Hour)
	if len(slots) < 3 {
		t.Fatalf("%d free slots", len(slots))
	}
	yes, s1 := a.book(slots[0].Start, "ada@example.com")
	no, s2 := b.book(slots[1].Start, "ada@example.com")
	if s1 != http.StatusCreated || s2 != http.StatusCreated {
		t.Fatalf("bookings: %d, %d", s1, s2)
	}
	uid := func(c *api, v bookedView) string {
		t.Helper()
		resp, err := http.Get(c.base + "/api/v1/bookings/" + v.ID + "/invite.ics?token=" + v.ManageToken)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := uidLine.FindStringSubmatch(strings.ReplaceAll(string(raw), "\r\n ", ""))
		if m == nil {
			t.Fatalf("no UID in the invite of %s:\n%s", v.ID, raw)
		}
		return m[1]
	}
	reply := func(id, uid, partstat string) string {
		return strings.ReplaceAll(`From: Ada Lovelace <ada@example.com>
To: hello@keongsaikatelier.example
Subject: `+partstat+`: Ring sizing
Message-ID: <reply-`+id+`@example.com>
MIME-Version: 1.0
Content-Type: text/calendar; charset="UTF-8"; method=REPLY

BEGIN:VCALENDAR
PRODID:-//Test//Calendar//EN
VERSION:2.0
METHOD:REPLY
BEGIN:VEVENT
UID:`+uid+`
SEQUENCE:0
DTSTAMP:20261130T091407Z
ATTENDEE;PARTSTAT=`+partstat+`;CN=Ada Lovelace:mailto:ada@example.com
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n")
	}
	mb.deliver(t, reply(yes.ID, uid(a, yes), "ACCEPTED"))
	mb.deliver(t, reply(no.ID, uid(b, no), "DECLINED"))

	type view struct {
		Status string `json:"status"`
	}
	get := func(c *api, v bookedView) view {
		t.Helper()
		var out view
		if s := c.do(http.MethodGet, "/api/v1/bookings/"+v.ID+"?token="+v.ManageToken, nil, nil, &out); s != http.StatusOK {
			t.Fatalf("GET %s: %d", v.ID, s)
		}
		return out
	}
	deadline := time.Now().Add(30 * time.Second)
	for get(a, no).Status != "cancelled" {
		if time.Now().After(deadline) {
			t.Fatal("the decline never cancelled the booking")
		}
		time.Sleep(50 * time.Millisecond) // polling the servers, not hiding a race
	}
	for _, c := range []*api{a, b} {
		if v := get(c, no); v.Status != "cancelled" {
			t.Errorf("%s: the declined booking is %s", c.base, v.Status)
		}
		if v := get(c, yes); v.Status != "confirmed" {
			t.Errorf("%s: the accepted booking is %s", c.base, v.Status)
		}
	}
	// Each message was acted on by one server only: once both have left
	// the inbox (a message acted on is moved out of it), the servers'
	// counts add up to the two messages.
	acted := func() int {
		n := 0
		for _, c := range []*api{a, b} {
			r, _ := healthOf(t, c.base)["replies"].(map[string]any)
			if r == nil {
				t.Fatalf("%s: no replies in /healthz", c.base)
			}
			v, _ := r["acted"].(float64)
			n += int(v)
		}
		return n
	}
	for {
		st, err := mb.user.Status("INBOX", &imap.StatusOptions{NumMessages: true})
		if err != nil {
			t.Fatal(err)
		}
		if *st.NumMessages == 0 && acted() >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox still holds %d messages; %d acted on", *st.NumMessages, acted())
		}
		time.Sleep(50 * time.Millisecond) // polling the servers, not hiding a race
	}
	if n := acted(); n != 2 {
		t.Errorf("the two servers acted on %d replies, want 2 (each message once)", n)
	}
	free := a.freeSlots()
	found := false
	for _, s := range free {
		found = found || s.Start == slots[1].Start
	}
	if !found {
		t.Errorf("the declined booking's time %s is not free again", slots[1].Start)
	}
}
