package availability

import (
	"testing"
	"time"
)

func TestOnGrid(t *testing.T) {
	sg, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		t        time.Time
		interval time.Duration
		want     bool
	}{
		{"OnTheHalfHour", time.Date(2026, 12, 1, 10, 30, 0, 0, sg), 30 * time.Minute, true},
		{"TenPast", time.Date(2026, 12, 1, 10, 10, 0, 0, sg), 30 * time.Minute, false},
		{"ThirtySecondsPast", time.Date(2026, 12, 1, 10, 0, 30, 0, sg), 30 * time.Minute, false},
		{"SameInstantInAnotherZone", time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC), 30 * time.Minute, true},
		{"GridFromLocalNotUTCMidnight", time.Date(2026, 12, 1, 10, 0, 0, 0, sg), 5 * time.Hour, true},
		{"NoGrid", time.Date(2026, 12, 1, 10, 7, 0, 0, sg), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OnGrid(tt.t, tt.interval, sg); got != tt.want {
				t.Errorf("OnGrid(%v, %v) = %v, want %v", tt.t, tt.interval, got, tt.want)
			}
		})
	}
}
