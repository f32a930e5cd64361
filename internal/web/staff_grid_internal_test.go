package web

import (
	"strings"
	"testing"
)

func TestGridFramePos(t *testing.T) {
	f := gridFrame{first: 10 * 60, last: 19 * 60}
	for _, tc := range []struct {
		name     string
		from, to int
		want     string
	}{
		{"FirstHour", 600, 660, "gr-1 gs-12"},
		{"NinetyMinutes", 11 * 60, 12*60 + 30, "gr-13 gs-18"},
		{"FortyFiveMinutes", 14 * 60, 14*60 + 45, "gr-49 gs-9"},
		{"OffTheStepRoundsOutwards", 10*60 + 7, 10*60 + 13, "gr-2 gs-2"},
		{"ClippedAtTheStart", 9 * 60, 10*60 + 30, "gr-1 gs-6"},
		{"ClippedAtTheEnd", 18*60 + 30, 20 * 60, "gr-103 gs-6"},
		{"Outside", 20 * 60, 21 * 60, ""},
		{"Empty", 12 * 60, 12 * 60, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.pos(tc.from, tc.to); got != tc.want {
				t.Errorf("pos(%d, %d) = %q, want %q", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

func TestFrameFor(t *testing.T) {
	if got := frameFor(nil); got != (gridFrame{first: 540, last: 1080}) {
		t.Errorf("no spans: %+v, want 9:00 to 18:00", got)
	}
	if got := frameFor([][2]int{{615, 1140}, {595, 700}, {1200, 1190}}); got != (gridFrame{first: 540, last: 1140}) {
		t.Errorf("got %+v, want 9:00 (9:55 rounded down) to 19:00; an empty span ignored", got)
	}
	if got := frameFor([][2]int{{1380, 1440}}); got.last != 1440 {
		t.Errorf("a span to midnight: %+v", got)
	}
}

func TestAssignLanes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items []laneItem
		want  []string
	}{
		{"Alone", []laneItem{{600, 660}}, []string{"ln-0-1"}},
		{"OneAfterAnother", []laneItem{{600, 660}, {660, 720}}, []string{"ln-0-1", "ln-0-1"}},
		{"Overlapping", []laneItem{{600, 700}, {650, 720}}, []string{"ln-0-2", "ln-1-2"}},
		// a overlaps b and c, which do not overlap: two lanes, c back in a's.
		{"Chain", []laneItem{{600, 700}, {650, 760}, {700, 800}}, []string{"ln-0-2", "ln-1-2", "ln-0-2"}},
		// A later group on its own has the whole width again.
		{"GroupsApart", []laneItem{{900, 960}, {600, 700}, {650, 720}}, []string{"ln-0-1", "ln-0-2", "ln-1-2"}},
		{"ThreeAtOnce", []laneItem{{600, 700}, {600, 700}, {600, 700}}, []string{"ln-0-3", "ln-1-3", "ln-2-3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := assignLanes(tc.items); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMinusSpans(t *testing.T) {
	got := minusSpans(540, 1260, [][2]int{{600, 780}, {840, 1140}})
	want := [][2]int{{540, 600}, {780, 840}, {1140, 1260}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if got := minusSpans(600, 700, [][2]int{{500, 800}}); len(got) != 0 {
		t.Errorf("all cut: %v", got)
	}
}

func TestGridCSSHasEveryClass(t *testing.T) {
	css := string(gridCSS())
	for _, want := range []string{".gr-1{grid-row-start:1}", ".gr-289{", ".gs-288{grid-row-end:span 288}", ".ln-0-1{margin-left:0.0000%;width:100.0000%}", ".ln-7-8{"} {
		if !strings.Contains(css, want) {
			t.Errorf("the grid's sheet lacks %s", want)
		}
	}
}
