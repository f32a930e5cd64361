package app_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
)

// TestTimeJSON: an instant is written with a numeric offset, "+00:00" at
// UTC+0 rather than "Z", and either form reads back as the same instant.
func TestTimeJSON(t *testing.T) {
	instant := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"UTC", instant, `"2026-12-01T06:00:00+00:00"`},
		{"LondonWinter", instant.In(mustZone("Europe/London")), `"2026-12-01T06:00:00+00:00"`},
		{"LondonSummer", time.Date(2026, 7, 1, 6, 0, 0, 0, time.UTC).In(mustZone("Europe/London")), `"2026-07-01T07:00:00+01:00"`},
		{"Singapore", instant.In(mustZone("Asia/Singapore")), `"2026-12-01T14:00:00+08:00"`},
		{"NegativeHalfHour", instant.In(mustZone("America/St_Johns")), `"2026-12-01T02:30:00-03:30"`},
		{"Fraction", instant.Add(1500 * time.Millisecond), `"2026-12-01T06:00:01.5+00:00"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(struct {
				At app.Time `json:"at"`
			}{app.At(tc.t)})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"at":` + tc.want + `}`; string(got) != want {
				t.Errorf("JSON %s, want %s", got, want)
			}
			var back app.Time
			if err := json.Unmarshal([]byte(tc.want), &back); err != nil || !back.Equal(tc.t) {
				t.Errorf("read back %v (%v), want %v", back, err, tc.t)
			}
		})
	}
	t.Run("ReadsZ", func(t *testing.T) {
		var back app.Time
		if err := json.Unmarshal([]byte(`"2026-12-01T06:00:00Z"`), &back); err != nil || !back.Equal(instant) {
			t.Errorf("read %v (%v), want %v", back, err, instant)
		}
	})
	t.Run("PointerNil", func(t *testing.T) {
		got, _ := json.Marshal(struct {
			At *app.Time `json:"at"`
		}{})
		if string(got) != `{"at":null}` {
			t.Errorf("nil time = %s", got)
		}
	})
}

// TestViewsWithPlainTimesMarshalOffsets: the views that keep time.Time
// fields for their Go callers still write numeric offsets.
func TestViewsWithPlainTimesMarshalOffsets(t *testing.T) {
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	later := at.Add(time.Minute)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"MessageSent", app.MessageView{ID: 1, Kind: "confirmation", State: app.MessageSent, CreatedAt: at, SentAt: &later},
			`{"id":1,"kind":"confirmation","state":"sent","attempts":0,"created_at":"2026-12-01T06:00:00+00:00","sent_at":"2026-12-01T06:01:00+00:00"}`},
		{"MessagePending", app.MessageView{ID: 2, Kind: "reminder", State: app.MessagePending, CreatedAt: at, DueAt: &later},
			`{"id":2,"kind":"reminder","state":"pending","attempts":0,"created_at":"2026-12-01T06:00:00+00:00","due_at":"2026-12-01T06:01:00+00:00"}`},
		{"GoogleArtisan", app.GoogleArtisanView{ArtisanID: "mei", State: "connected", LastSuccess: &at},
			`{"artisan_id":"mei","calendar_id":"","state":"connected","last_success_at":"2026-12-01T06:00:00+00:00"}`},
		{"GoogleArtisanNever", app.GoogleArtisanView{ArtisanID: "mei", State: "not_connected"},
			`{"artisan_id":"mei","calendar_id":"","state":"not_connected","last_success_at":null}`},
		{"GoogleBooking", &app.GoogleBookingView{State: "synced", SyncedAt: &at},
			`{"state":"synced","synced_at":"2026-12-01T06:00:00+00:00"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("JSON\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
