package booking_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    booking.Clock
		wantErr bool
	}{
		{"00:00", 0, false},
		{"09:30", 570, false},
		{"23:59", 1439, false},
		{"24:00", 1440, false},
		{"24:30", 0, true},
		{"25:00", 0, true},
		{"10:60", 0, true},
		{"9:30", 0, true},
		{"09-30", 0, true},
		{"0a:00", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := booking.ParseClock(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseClock(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseClock(%q) = %d, want %d", tt.in, got, tt.want)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestWeekHoursJSON(t *testing.T) {
	in := `{"mon":[["14:00","19:00"],["10:00","12:30"]],"sun":[["11:00","17:00"]]}`
	var w booking.WeekHours
	if err := json.Unmarshal([]byte(in), &w); err != nil {
		t.Fatal(err)
	}
	if got := w.On(time.Monday); len(got) != 2 || got[0].Start != 600 || got[1].End != 1140 {
		t.Errorf("monday = %v, want two spans sorted by start", got)
	}
	if len(w.On(time.Tuesday)) != 0 {
		t.Errorf("tuesday = %v, want closed", w.On(time.Tuesday))
	}
	if !w.Contains(time.Sunday, 11*60, 17*60) || w.Contains(time.Sunday, 16*60, 18*60) {
		t.Error("Contains disagrees with the sunday span 11:00-17:00")
	}
	out, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"mon":[["10:00","12:30"],["14:00","19:00"]],"sun":[["11:00","17:00"]]}`; got != want {
		t.Errorf("marshal = %s, want %s", got, want)
	}
}

func TestWeekHoursInvalid(t *testing.T) {
	// Each input is refused with the message that names its own fault, so
	// that a staff member sees what to fix (and a refusal for another
	// reason, such as broken JSON, does not pass for the one meant).
	tests := []struct {
		name, in, want string
	}{
		{"EndsBeforeStart", `{"mon":[["18:00","10:00"]]}`, `mon[0]: "18:00-10:00" ends before it starts`},
		{"Overlap", `{"mon":[["10:00","13:00"],["12:00","15:00"]]}`, `mon[1]: "12:00-15:00" overlaps mon[0] (10:00-13:00)`},
		// Spans are named by their place as given, not as sorted.
		{"OverlapUnsorted", `{"mon":[["14:00","19:00"],["10:00","15:00"]]}`, `mon[1]: "10:00-15:00" overlaps mon[0] (14:00-19:00)`},
		{"UnknownDay", `{"monday":[["10:00","13:00"]]}`, `monday: unknown day "monday" (use sun, mon, tue, wed, thu, fri, sat)`},
		{"SameDayTwice", `{"mon":[["10:00","13:00"]],"MON":[["14:00","15:00"]]}`, `mon: "mon" is the same day as "MON" (give each day once)`},
		{"BadTime", `{"mon":[["10:00","25:00"]]}`, `"25:00" is not a time of day (HH:MM)`},
		{"NotAPair", `{"mon":[["10:00"]]}`, `a span is a pair of times like ["10:00","19:00"]`},
		{"Empty", `{"mon":[["10:00","10:00"]]}`, `mon[0]: "10:00-10:00" is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w booking.WeekHours
			err := json.Unmarshal([]byte(tt.in), &w)
			if err == nil {
				t.Fatalf("Unmarshal(%s) = %v, want the error %q", tt.in, w, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Unmarshal(%s): error %q, want %q", tt.in, got, tt.want)
			}
			if got, _ := json.Marshal(w); string(got) != "{}" {
				t.Errorf("Unmarshal(%s) changed the hours to %v on error", tt.in, w)
			}
		})
	}
	// The bounds themselves are valid: a day may end at 24:00.
	var w booking.WeekHours
	if err := json.Unmarshal([]byte(`{"mon":[["00:00","24:00"]]}`), &w); err != nil {
		t.Errorf("a whole day 00:00-24:00: %v", err)
	}
}

func TestDate(t *testing.T) {
	d, err := booking.ParseDate("2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AddDays(1).String(); got != "2027-01-01" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(-365).String(); got != "2025-12-31" {
		t.Errorf("AddDays(-365) = %s", got)
	}
	if d.Weekday() != time.Thursday {
		t.Errorf("Weekday = %v, want Thursday", d.Weekday())
	}
	if _, err := booking.ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted 30 February")
	}
	start, _ := booking.ParseDate("2026-03-01")
	if n := start.DaysUntil(d); n != 305 {
		t.Errorf("DaysUntil = %d, want 305", n)
	}
	if !start.Before(d) || d.Before(start) || start.Compare(start) != 0 {
		t.Error("date ordering is wrong")
	}

	// Midnight and wall-clock times on a DST day in London: 29 March 2026
	// has 23 hours, so 10:00 is 9 hours after midnight.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := booking.ParseDate("2026-03-29")
	if got := dst.At(10*60, london).Sub(dst.In(london)); got != 9*time.Hour {
		t.Errorf("10:00 on the spring-forward day is %v after midnight, want 9h", got)
	}
	if got := dst.At(24*60, london); booking.DateOf(got) != dst.AddDays(1) || got.Hour() != 0 {
		t.Errorf("24:00 = %v, want midnight of the next day", got)
	}
}

func TestClosureCovers(t *testing.T) {
	from, _ := booking.ParseDate("2027-02-06")
	to, _ := booking.ParseDate("2027-02-08")
	c := booking.Closure{From: from, To: to}
	for _, tt := range []struct {
		day  string
		want bool
	}{{"2027-02-05", false}, {"2027-02-06", true}, {"2027-02-08", true}, {"2027-02-09", false}} {
		d, _ := booking.ParseDate(tt.day)
		if got := c.Covers(d); got != tt.want {
			t.Errorf("Covers(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
}

func TestErrors(t *testing.T) {
	errs := booking.FieldErrors{}
	if errs.Err() != nil {
		t.Fatal("empty FieldErrors is an error")
	}
	errs.Add("customer.email", "must be a valid e-mail address")
	errs.Add("customer.email", "second message is ignored")
	err := fmt.Errorf("creating: %w", errs.Err())
	if booking.ErrorKind(err) != booking.EINVALID || booking.ErrorCode(err) != booking.CodeInvalid {
		t.Errorf("kind/code = %s/%s", booking.ErrorKind(err), booking.ErrorCode(err))
	}
	var e *booking.Error
	if !errors.As(err, &e) || e.Fields["customer.email"] != "must be a valid e-mail address" {
		t.Errorf("fields = %v", e)
	}

	internal := fmt.Errorf("query: %w", errors.New("disk I/O error at /var/db"))
	if booking.ErrorKind(internal) != booking.EINTERNAL {
		t.Error("a plain error is not internal")
	}
	if msg := booking.ErrorMessage(internal); strings.Contains(msg, "disk") {
		t.Errorf("internal error text leaks to users: %q", msg)
	}
	if booking.ErrorKind(booking.ErrSlotUnavailable("taken")) != booking.ECONFLICT {
		t.Error("slot unavailable is not a conflict")
	}
}

func TestOverlaps(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	if booking.Overlaps(at(10), at(11), at(11), at(12)) {
		t.Error("back-to-back intervals overlap")
	}
	if !booking.Overlaps(at(10), at(12), at(11), at(13)) {
		t.Error("overlapping intervals do not overlap")
	}
}
