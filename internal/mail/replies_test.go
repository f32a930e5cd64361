package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// textOf returns the text part of a staff notice (multipart/alternative).
func textOf(tb testing.TB, raw []byte) (subject, text string) {
	tb.Helper()
	h, root := MustParseMIME(tb, raw)
	subject, _ = h.Subject()
	if len(root.Children) == 0 {
		tb.Fatalf("notice is %s with no parts", root.ContentType)
	}
	return subject, string(root.Children[0].Body)
}

func TestReplyJobs(t *testing.T) {
	clk := &clock{t: t0.Add(-48 * time.Hour)}
	o := MustOptions(t, clk)
	b := MustBooking(t, "bk_ans", booking.InPerson, t0)
	proposed := t0.Add(26 * time.Hour)
	for _, tc := range []struct {
		name    string
		outcome booking.ReplyOutcome
		reply   booking.InboundReply
		subject string
		text    []string
	}{
		{"Declined", booking.ReplyNotified,
			booking.InboundReply{Key: "aaaaaaaaaaaaaaaa", Method: booking.MethodReply, PartStat: booking.PartDeclined},
			"Declined by the customer: ", []string{"answered No", "stays confirmed", "https://book.maison.example/staff/bookings/bk_ans"}},
		{"Counter", booking.ReplyCountered,
			booking.InboundReply{Key: "bbbbbbbbbbbbbbbb", Method: booking.MethodCounter, Start: proposed, End: proposed.Add(90 * time.Minute)},
			"New time proposed: ", []string{"proposes to move", "Proposed: Wednesday 2 December 2026, 12:00 – 13:30 (Singapore time)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.reply
			jobs, err := mail.ReplyJobs(o)(booking.ReplyEvent{Booking: b, Reply: &r, Outcome: tc.outcome})
			if err != nil {
				t.Fatal(err)
			}
			var to []string
			for _, j := range summarize(t, jobs) {
				if j.kind != mail.KindReplyNotice {
					t.Errorf("kind %q", j.kind)
				}
				to = append(to, j.to)
				subject, text := textOf(t, j.msg)
				if !strings.HasPrefix(subject, tc.subject) || !strings.Contains(subject, b.Customer.Name) {
					t.Errorf("subject %q, want %q and the customer's name", subject, tc.subject)
				}
				for _, s := range tc.text {
					if !strings.Contains(text, s) {
						t.Errorf("text lacks %q:\n%s", s, text)
					}
				}
			}
			// The artisan and each admin once; never the customer.
			if got := strings.Join(to, ","); got != "mei@maison.example,admin@maison.example" {
				t.Errorf("to %s", got)
			}
		})
	}
}

// TestCancelledByReply: a cancellation made by the customer's "No" says
// so, to them and to staff.
func TestCancelledByReply(t *testing.T) {
	clk := &clock{t: t0.Add(-48 * time.Hour)}
	o := MustOptions(t, clk)
	prev := MustBooking(t, "bk_no", booking.InPerson, t0)
	b := *prev
	b.Status, b.Sequence = booking.Cancelled, 1
	jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCancelled, Booking: &b, Previous: prev, Actor: booking.ReplyActor}))
	want := map[string]string{
		"cancellation": "You declined the invitation in your calendar",
		"staff_notice": "The customer declined the invitation in their calendar.",
	}
	for _, j := range jobs {
		var text string
		if j.kind == "cancellation" {
			_, text, _, _, _ = inviteOf(t, j.msg)
		} else {
			_, text = textOf(t, j.msg)
		}
		if !strings.Contains(text, want[j.kind]) {
			t.Errorf("%s to %s lacks %q:\n%s", j.kind, j.to, want[j.kind], text)
		}
	}
}

// TestInvitesAskForAnAnswerOnlyWhenRead: RSVP=TRUE is written only while
// the replies are read (Options.RSVP).
func TestInvitesAskForAnAnswerOnlyWhenRead(t *testing.T) {
	for _, rsvp := range []bool{false, true} {
		clk := &clock{t: t0.Add(-48 * time.Hour)}
		o := MustOptions(t, clk)
		o.RSVP = rsvp
		b := MustBooking(t, "bk_rsvp", booking.InPerson, t0)
		jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b}))
		_, _, _, _, ev := inviteOf(t, jobs[0].msg)
		att := ev.Props.Get(ical.PropAttendee)
		if att == nil {
			t.Fatal("no ATTENDEE")
		}
		if got := att.Params.Get(ical.ParamRSVP) == "TRUE"; got != rsvp {
			t.Errorf("Options.RSVP %v: ATTENDEE RSVP=%q", rsvp, att.Params.Get(ical.ParamRSVP))
		}
	}
}
