package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestMoveToAnotherArtisan checks what everyone is told when a video call
// moves from Mei to Tom, who has another room: the customer's update names
// the new artisan and the new link (in the text, the button and the
// invite); Mei hears the booking moved away from her, without Tom's link;
// Tom gets a new-booking notice that says it is a move; the staff copy
// says from whom to whom.
func TestMoveToAnotherArtisan(t *testing.T) {
	clk := &clock{t: t0.Add(-7 * 24 * time.Hour)}
	o := MustOptions(t, clk)
	o.StaffCopies = []string{"admin@maison.example"}
	call := MustBooking(t, "bk_call", booking.Virtual, t0)
	const tomLink = "https://meet.jit.si/atelier-tom-Zy9"
	moved := *call
	moved.Start, moved.End, moved.Sequence = t0.Add(48*time.Hour), t0.Add(49*time.Hour+30*time.Minute), 1
	moved.ArtisanID, moved.MeetingURL = "tom", tomLink

	jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventRescheduled, Booking: &moved, Previous: call, Actor: booking.Actor{Kind: "customer"}}))
	byTo := map[string]jobSummary{}
	for _, j := range jobs {
		if j.kind != "reminder" {
			byTo[j.to] = j
		}
	}
	if len(byTo) != 4 {
		t.Fatalf("messages to %v, want the customer, Mei, Tom and the admin", keys(byTo))
	}

	t.Run("Customer", func(t *testing.T) {
		h, text, html, _, ev := inviteOf(t, byTo["zoe@example.org"].msg)
		subj, _ := h.Subject()
		if want := "Updated: Bespoke design consultation, now with Tom, Thursday 3 December at 02:00 London time"; subj != want {
			t.Errorf("subject %q, want %q", subj, want)
		}
		if missing := contains([]byte(text),
			"Your appointment has been moved to a new time, and it is now with Tom instead of Mei.",
			"With: Tom",
			"Previously: Tuesday 1 December 2026, 02:00 – 03:30 (London time), with Mei",
			"The video call has a new link",
			"Join the video call: "+tomLink,
		); len(missing) > 0 {
			t.Errorf("text lacks %q:\n%s", missing, text)
		}
		if strings.Contains(text, call.MeetingURL) || strings.Contains(html, call.MeetingURL) {
			t.Errorf("the update still carries Mei's link %s", call.MeetingURL)
		}
		if !strings.Contains(html, `href="`+tomLink+`"`) {
			t.Errorf("the HTML part has no button to %s", tomLink)
		}
		if conf := ev.Props.Get(ical.PropConference); conf == nil || conf.Value != tomLink {
			t.Errorf("invite CONFERENCE = %+v, want %s", conf, tomLink)
		}
		if loc, _ := ev.Props.Text(ical.PropLocation); strings.Contains(loc, call.MeetingURL) {
			t.Errorf("invite LOCATION %q still has Mei's link", loc)
		}
	})

	notice := func(t *testing.T, to string) (subject, text string) {
		t.Helper()
		h, root := MustParseMIME(t, byTo[to].msg)
		subject, _ = h.Subject()
		return subject, string(root.Children[0].Body)
	}
	const who = `Zoë "Nan" O'Neil, Jr.`
	for _, tc := range []struct {
		name, to, subject string
		want, notWant     []string
	}{
		{
			name: "OldArtisan", to: "mei@maison.example",
			subject: "Moved away from you: " + who + ", Tuesday 1 December at 10:00 Singapore time",
			want: []string{"A booking moved away from you", "has moved away from you to Tom. It is no longer in your calendar.",
				"Previously: Tuesday 1 December 2026, 10:00 – 11:30 (Singapore time), with Mei", "Video call, hosted by Tom"},
			notWant: []string{tomLink},
		},
		{
			name: "NewArtisan", to: "tom@maison.example",
			subject: "New booking (moved from Mei): " + who + ", Thursday 3 December at 10:00 Singapore time",
			want: []string{"New booking, moved to you", "has moved to you from Mei. It is now in your calendar.",
				"When: Thursday 3 December 2026, 10:00 – 11:30 (Singapore time)",
				"Previously: Tuesday 1 December 2026, 10:00 – 11:30 (Singapore time), with Mei", tomLink},
			notWant: []string{call.MeetingURL},
		},
		{
			name: "StaffCopy", to: "admin@maison.example",
			subject: "Booking moved to Tom: " + who + ", now Thursday 3 December at 10:00 Singapore time",
			want:    []string{"has moved from Mei to Tom.", "With: Tom", tomLink},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subj, text := notice(t, tc.to)
			if subj != tc.subject {
				t.Errorf("subject %q, want %q", subj, tc.subject)
			}
			if missing := contains([]byte(text), tc.want...); len(missing) > 0 {
				t.Errorf("notice lacks %q:\n%s", missing, text)
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("notice has %q:\n%s", w, text)
				}
			}
		})
	}

	t.Run("SameArtisan", func(t *testing.T) {
		// A move that keeps Mei says nothing of artisans.
		same := *call
		same.Start, same.End, same.Sequence = moved.Start, moved.End, 1
		for _, j := range summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventRescheduled, Booking: &same, Previous: call})) {
			if j.kind == "reminder" {
				continue // rendered when it is sent
			}
			h, root := MustParseMIME(t, j.msg)
			subj, _ := h.Subject()
			body := string(root.Children[0].Body)
			if len(root.Children[0].Children) > 0 { // the customer's: mixed, then alternative
				body = string(root.Children[0].Children[0].Body)
			}
			for _, w := range []string{"instead of", "moved away", "moved to you", "new link", "Tom"} {
				if strings.Contains(subj, w) || strings.Contains(body, w) {
					t.Errorf("%s to %s mentions %q: %q\n%s", j.kind, j.to, w, subj, body)
				}
			}
		}
	})

	t.Run("ArtisanOnly", func(t *testing.T) {
		// Staff give the booking to Tom at the same time.
		swap := *call
		swap.Sequence, swap.ArtisanID, swap.MeetingURL = 1, "tom", tomLink
		jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventRescheduled, Booking: &swap, Previous: call, Actor: booking.Actor{Kind: "staff"}}))
		h, text, _, _, _ := inviteOf(t, jobs[0].msg)
		subj, _ := h.Subject()
		if !strings.HasPrefix(subj, "Updated: Bespoke design consultation, now with Tom, ") {
			t.Errorf("subject %q", subj)
		}
		if missing := contains([]byte(text), "Your appointment is with Tom now",
			"Your appointment is now with Tom instead of Mei, at the same time.", "Previously: With Mei"); len(missing) > 0 {
			t.Errorf("text lacks %q:\n%s", missing, text)
		}
	})
}

func keys(m map[string]jobSummary) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
