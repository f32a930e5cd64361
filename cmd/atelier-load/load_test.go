package main

import (
	"strings"
	"testing"
	"time"
)

// TestOverlaps checks the race verdict: what counts as a double booking
// and as rooms over capacity.
func TestOverlaps(t *testing.T) {
	at := func(hhmm string) time.Time {
		ts, err := time.Parse("2006-01-02 15:04", "2026-12-01 "+hhmm)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	b := func(id, artisan, mode, from, to, status string) bookingView {
		return bookingView{ID: id, Artisan: artisan, Mode: mode, Start: at(from), End: at(to), Status: status}
	}
	tests := []struct {
		name  string
		bs    []bookingView
		rooms int
		want  []string // substrings of the messages, in order; none when clean
	}{
		{"NoBookings", nil, 2, nil},
		{"BackToBack", []bookingView{
			b("a", "mei", "virtual", "10:00", "10:15", "confirmed"),
			b("b", "mei", "virtual", "10:15", "10:30", "confirmed"),
		}, 2, nil},
		{"SameArtisanOverlap", []bookingView{
			b("a", "mei", "virtual", "10:00", "11:00", "confirmed"),
			b("b", "mei", "virtual", "10:30", "10:45", "confirmed"),
		}, 2, []string{"DOUBLE BOOKING: artisan mei"}},
		{"CancelledDoesNotCount", []bookingView{
			b("a", "mei", "virtual", "10:00", "11:00", "cancelled"),
			b("b", "mei", "virtual", "10:30", "10:45", "confirmed"),
		}, 2, nil},
		{"OtherArtisansMayOverlap", []bookingView{
			b("a", "mei", "virtual", "10:00", "11:00", "confirmed"),
			b("b", "arjun", "virtual", "10:00", "11:00", "confirmed"),
		}, 2, nil},
		{"RoomsFull", []bookingView{
			b("a", "mei", "in_person", "10:00", "11:00", "confirmed"),
			b("b", "arjun", "in_person", "10:00", "11:00", "confirmed"),
		}, 2, nil},
		{"RoomsOverCapacity", []bookingView{
			b("a", "mei", "in_person", "10:00", "11:00", "confirmed"),
			b("b", "arjun", "in_person", "10:30", "11:30", "confirmed"),
			b("c", "siti", "in_person", "10:45", "11:00", "confirmed"),
		}, 2, []string{"ROOMS OVER CAPACITY: 3 in-person visits"}},
		{"VirtualTakesNoRoom", []bookingView{
			b("a", "mei", "in_person", "10:00", "11:00", "confirmed"),
			b("b", "arjun", "in_person", "10:00", "11:00", "confirmed"),
			b("c", "siti", "virtual", "10:00", "11:00", "confirmed"),
		}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := overlaps(tt.bs, tt.rooms)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems %q, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to mention %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name string
		q    float64
		want time.Duration
	}{
		{"P50", 0.50, 50 * time.Millisecond},
		{"P99", 0.99, 99 * time.Millisecond},
		{"Max", 1, 100 * time.Millisecond},
		{"Min", 0, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quantile(d, tt.q); got != tt.want {
				t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestParseMix(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    [nOps]int
		wantErr bool
	}{
		{"Default", "avail=70,book=15,reschedule=10,cancel=5", [nOps]int{70, 85, 95, 100}, false},
		{"ReadsOnly", "avail=1", [nOps]int{1, 1, 1, 1}, false},
		{"UnknownName", "avail=1,delete=3", [nOps]int{}, true},
		{"NegativeWeight", "book=-1", [nOps]int{}, true},
		{"AllZero", "avail=0,book=0", [nOps]int{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMix(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseMix(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("parseMix(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.0.0.5:8080", false},
		{"https://atelier.example.com", false},
		{"ftp://127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c := common{urls: urlList{list: []string{tt.url}}}
			if err := c.check(); (err == nil) != tt.ok {
				t.Errorf("check(%q) = %v, want ok %v", tt.url, err, tt.ok)
			}
		})
	}
}
