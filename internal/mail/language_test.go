package mail_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// zhBooking is MustBooking made in Simplified Chinese by 林美玲.
func zhBooking(t *testing.T, id string, mode booking.Mode) *booking.Booking {
	t.Helper()
	b := MustBooking(t, id, mode, t0)
	b.Customer.Name, b.Customer.Language, b.Customer.Timezone = "林美玲", "zh-Hans", ""
	return b
}

// TestMailInChinese: a booking made in zh-Hans gets its confirmation, its
// invitation (SUMMARY, DESCRIPTION, the call's label) and its subject in
// Chinese, with the time written as the pages write it; Mei's notice stays
// English and says the customer's language.
func TestMailInChinese(t *testing.T) {
	o := MustOptions(t, &clock{t: t0.Add(-7 * 24 * time.Hour)})
	b := zhBooking(t, "bk_zh", booking.Virtual)
	jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b, Actor: booking.Actor{Kind: "customer"}}))
	if jobs[0].kind != "confirmation" {
		t.Fatalf("first job is %s", jobs[0].kind)
	}
	h, text, html, _, ev := inviteOf(t, jobs[0].msg)
	subj, _ := h.Subject()
	// t0 is 10:00 on Tuesday 1 December 2026 in Singapore; a video call
	// with no customer zone is shown in the atelier's.
	if want := "预约已确认：Bespoke design consultation，12月1日 星期二 10:00（新加坡时间）"; subj != want {
		t.Errorf("subject %q, want %q", subj, want)
	}
	for _, want := range []string{"林美玲，您好：", "您的预约已确认", "2026年12月1日 星期二 10:00至11:30（新加坡时间）", "请带上：", "更改或取消"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `<html lang="zh-Hans">`) || !strings.Contains(html, "您的预约已确认") {
		t.Errorf("html is not Chinese:\n%s", html)
	}
	summary, _ := ev.Props.Text(ical.PropSummary)
	desc, _ := ev.Props.Text(ical.PropDescription)
	if summary != "Maison Lumière：Bespoke design consultation（Mei）" {
		t.Errorf("SUMMARY %q", summary)
	}
	for _, want := range []string{"线上咨询（视频通话）：https://meet.jit.si/atelier-mei-Qx3", "请带上：", "更改或取消："} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION lacks %q:\n%s", want, desc)
		}
	}
	notices := 0
	for _, j := range jobs[1:] {
		if j.kind != "staff_notice" {
			continue
		}
		notices++
		sh, root := MustParseMIME(t, j.msg)
		s, _ := sh.Subject()
		if !strings.HasPrefix(s, "New booking: 林美玲") || !strings.Contains(string(root.Children[0].Body), "Language: 简体中文 (zh-Hans)") {
			t.Errorf("staff notice %q does not say the customer's language:\n%s", s, root.Children[0].Body)
		}
	}
	if notices == 0 {
		t.Error("no staff notice")
	}
}

// TestChineseInviteCrossCheck has python3-icalendar and ical.js read the
// invitation of a Chinese e-mail, visit and video call, with the Chinese
// SUMMARY, DESCRIPTION and conference label they must see.
func TestChineseInviteCrossCheck(t *testing.T) {
	const python = "/usr/bin/python3"
	havePython := exec.Command(python, "-c", "import icalendar").Run() == nil
	if !havePython && os.Getenv("ATELIER_REQUIRE_PYTHON_ICS") == "1" {
		t.Fatal("ATELIER_REQUIRE_PYTHON_ICS=1 but python3-icalendar is missing")
	}
	node, err := exec.LookPath("node")
	icaljs := filepath.Join("..", "invite", "testdata", "check-icaljs.mjs")
	if err == nil {
		_, err = os.Stat(filepath.Join("..", "invite", "testdata", "node_modules", "ical.js", "package.json"))
	}
	haveJS := err == nil
	if !havePython && !haveJS {
		t.Skip("neither python3-icalendar nor ical.js available")
	}
	o := MustOptions(t, &clock{t: t0.Add(-7 * 24 * time.Hour)})
	dir := t.TempDir()
	type expect struct {
		Path   string                       `json:"path"`
		Events int                          `json:"events"`
		People map[string]map[string]string `json:"people"`
	}
	var manifest []expect
	for _, mode := range []booking.Mode{booking.InPerson, booking.Virtual} {
		b := zhBooking(t, "bk_zh_"+string(mode), mode)
		jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b}))
		_, _, _, cal, ev := inviteOf(t, jobs[0].msg)
		var buf strings.Builder
		if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
			t.Fatal(err)
		}
		uid, _ := ev.Props.Text(ical.PropUID)
		summary, _ := ev.Props.Text(ical.PropSummary)
		desc, _ := ev.Props.Text(ical.PropDescription)
		if !strings.Contains(summary, "（Mei）") || !strings.Contains(desc, "请带上：") {
			t.Fatalf("%s invite is not Chinese: %q\n%s", mode, summary, desc)
		}
		p := map[string]string{"organizer": "Maison Lumière", "attendee": "林美玲", "summary": summary, "description": desc}
		if mode == booking.Virtual {
			p["label"] = "视频通话"
		}
		path := filepath.Join(dir, string(mode)+".ics")
		// The attachment as sent, not re-encoded.
		if err := os.WriteFile(path, icsPart(t, jobs[0].msg), 0o644); err != nil {
			t.Fatal(err)
		}
		manifest = append(manifest, expect{Path: path, Events: 1, People: map[string]map[string]string{uid: p}})
	}
	data, _ := json.Marshal(manifest)
	mf := filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(mf, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if havePython {
		out, err := exec.Command(python, filepath.Join("..", "..", ".ci", "check-ics.py"), "--manifest", mf).CombinedOutput()
		if err != nil {
			t.Errorf("check-ics.py: %v\n%s", err, out)
		}
	}
	if haveJS {
		out, err := exec.Command(node, icaljs, mf).CombinedOutput()
		if err != nil {
			t.Errorf("check-icaljs.mjs: %v\n%s", err, out)
		}
	}
}

// icsPart is the text/calendar part of a message, as sent.
func icsPart(t *testing.T, raw []byte) []byte {
	t.Helper()
	_, root := MustParseMIME(t, raw)
	return root.Children[0].Children[2].Body
}

// TestLanguageKeptForLaterMail: the reminder, rendered when it is sent
// from the stored booking, and the cancellation are in the language the
// booking was made in, whoever acts later.
func TestLanguageKeptForLaterMail(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.StaffCopies = nil
	q := newMemQueue()
	b := zhBooking(t, "bk_zr", booking.InPerson)
	store := &bookingMap{m: map[string]*booking.Booking{b.ID: b}}
	q.Add(clk.Now(), MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
	srv := MustStartSMTP(t)
	w := MustWorker(t, q, srv, o, store)
	runOnce(t, w)
	before := len(srv.Received())
	clk.Advance(72*time.Hour - 23*time.Hour)
	runOnce(t, w)
	got := srv.Received()[before:]
	if len(got) != 1 {
		t.Fatalf("%d reminders sent", len(got))
	}
	h, _ := MustParseMIME(t, got[0].Data)
	if s, _ := h.Subject(); !strings.HasPrefix(s, "预约提醒：") || !strings.Contains(s, "10:00") {
		t.Errorf("reminder subject %q, want Chinese", s)
	}
	cur, _ := store.Booking(context.Background(), b.ID)
	cur.Status, cur.Sequence = booking.Cancelled, 1
	jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCancelled, Booking: cur, Actor: booking.Actor{Kind: "staff"}}))
	ch, text, _, _, ev := inviteOf(t, jobs[0].msg)
	if s, _ := ch.Subject(); !strings.HasPrefix(s, "预约已取消：") || !strings.Contains(text, "您的预约已经取消") {
		t.Errorf("cancellation %q is not Chinese:\n%s", s, text)
	}
	if d, _ := ev.Props.Text(ical.PropDescription); !strings.HasPrefix(d, "此预约已取消。") {
		t.Errorf("cancelled invite DESCRIPTION %q", d)
	}
}

// TestPrivacyLinkInTheCustomersLanguage: the e-mail with the link to a
// copy of the customer's data, or to confirm its erasure, is written in
// the language of the booking, as every other e-mail to the customer.
func TestPrivacyLinkInTheCustomersLanguage(t *testing.T) {
	o := MustOptions(t, &clock{t: t0.Add(-7 * 24 * time.Hour)})
	build := mail.PrivacyLinkJob(o)
	expires := t0.Add(24 * time.Hour)
	for _, tc := range []struct {
		name    string
		b       *booking.Booking
		purpose string
		want    []string
	}{
		{"ChineseCopy", zhBooking(t, "bk_zh_copy", booking.Virtual), booking.PrivacyExport, []string{"个人资料副本", "下载我的资料", "链接有效期至"}},
		{"ChineseErase", zhBooking(t, "bk_zh_erase", booking.Virtual), booking.PrivacyErase, []string{"删除您的个人资料", "查看并确认删除"}},
		{"English", MustBooking(t, "bk_en_copy", booking.Virtual, t0), booking.PrivacyExport, []string{"A copy of your personal data", "Download my data", "The link works until"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := build(tc.b, tc.purpose, "https://atelier.example/privacy?token=abc", expires)
			if err != nil {
				t.Fatal(err)
			}
			_, _, msg, err := mail.ParsePayload(j.Payload)
			if err != nil {
				t.Fatal(err)
			}
			h, root := MustParseMIME(t, msg)
			subj, _ := h.Subject()
			var body strings.Builder
			body.WriteString(subj + "\n")
			for _, c := range root.Children {
				body.Write(c.Body)
			}
			for _, want := range tc.want {
				if !strings.Contains(body.String(), want) {
					t.Errorf("the e-mail lacks %q:\n%s", want, body.String())
				}
			}
			if !strings.Contains(body.String(), "https://atelier.example/privacy?token=abc") {
				t.Error("the e-mail lacks the link")
			}
		})
	}
}
