package sqlite

import (
	"testing"
	"time"
)

// parseTime reads the stored layout by hand and falls back to time.Parse
// for anything else; both paths agree with time.Parse.
func TestParseTime(t *testing.T) {
	for _, s := range []string{
		"2026-12-01T02:00:00.000Z", "2026-03-29T01:59:59.999Z", "0001-01-01T00:00:00.000Z",
		"2024-02-29T23:59:59.123Z",
	} {
		got, err := parseTime(s)
		want, _ := time.Parse(timeFormat, s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{
		"2026-04-31T10:00:00.000Z", "2026-13-01T10:00:00.000Z", "2026-12-01T24:00:00.000Z",
		"2026-12-01T10:60:00.000Z", "2026-12-01T10:00:60.000Z", "2026-12-01T10:00:00.00xZ",
		"2026-12-01 10:00:00.000Z", "2025-02-29T10:00:00.000Z", "", "yesterday",
	} {
		if got, err := parseTime(s); err == nil {
			t.Errorf("parseTime(%q) = %v, want an error", s, got)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	for b.Loop() {
		if _, err := parseTime("2026-12-01T02:00:00.000Z"); err != nil {
			b.Fatal(err)
		}
	}
}
