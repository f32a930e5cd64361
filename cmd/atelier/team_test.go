package main

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A service that needs two artisans together, through the real server on
// the demo configuration: the design consultation with the goldsmith and
// the gemmologist is offered only when both work and are free; a booking
// holds both (the booking says so), after which neither can be booked by
// another customer at that time; each of them gets the notice, and the
// customer's invitation names them both.
func TestTwoArtisansEndToEnd(t *testing.T) {
	s := newTestServer(t)
	s.start()
	c := http.DefaultClient

	var services []struct {
		ID             string   `json:"id"`
		Artisans       []string `json:"artisans"`
		ArtisansNeeded int      `json:"artisans_needed"`
	}
	call(t, c, http.MethodGet, s.base+"/api/v1/services", nil, http.StatusOK, &services)
	i := slices.IndexFunc(services, func(x struct {
		ID             string   `json:"id"`
		Artisans       []string `json:"artisans"`
		ArtisansNeeded int      `json:"artisans_needed"`
	}) bool {
		return x.ID == "design-with-stones"
	})
	if i < 0 || services[i].ArtisansNeeded != 2 {
		t.Fatalf("services = %+v, want design-with-stones needing 2", services)
	}

	loc, _ := time.LoadLocation("Asia/Singapore")
	from := time.Now().In(loc).AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().In(loc).AddDate(0, 0, 15).Format(time.DateOnly)
	type slot struct {
		Start    string   `json:"start"`
		Artisans []string `json:"artisans"`
	}
	slots := func(service, mode, artisan string) []slot {
		var av struct{ Slots []slot }
		q := "/api/v1/availability?service=" + service + "&mode=" + mode + "&from=" + from + "&to=" + to
		if artisan != "" {
			q += "&artisan=" + artisan
		}
		call(t, c, http.MethodGet, s.base+q, nil, http.StatusOK, &av)
		return av.Slots
	}
	team := slots("design-with-stones", "virtual", "")
	if len(team) == 0 {
		t.Fatal("the two-artisan consultation offers no time in two weeks")
	}
	// Mei works Tuesday to Friday, Arjun Wednesday, Thursday and the
	// weekend: the two together only on Wednesdays and Thursdays.
	for _, sl := range team {
		st, err := time.Parse(time.RFC3339, sl.Start)
		if err != nil {
			t.Fatal(err)
		}
		if wd := st.In(loc).Weekday(); wd != time.Wednesday && wd != time.Thursday {
			t.Errorf("slot %s is on a %s, when only one of the two works", sl.Start, wd)
		}
		if !slices.Equal(sl.Artisans, []string{"mei", "arjun"}) {
			t.Errorf("slot %s lists %v, want both", sl.Start, sl.Artisans)
		}
	}

	start := team[0].Start
	var b struct {
		ID          string   `json:"id"`
		Artisan     string   `json:"artisan"`
		Artisans    []string `json:"artisans"`
		ManageToken string   `json:"manage_token"`
	}
	call(t, c, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "design-with-stones", "mode": "virtual", "start": start,
		"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.net"},
	}, http.StatusCreated, &b)
	slices.Sort(b.Artisans)
	if !slices.Equal(b.Artisans, []string{"arjun", "mei"}) || (b.Artisan != "mei" && b.Artisan != "arjun") {
		t.Fatalf("booked with %q %v, want mei and arjun", b.Artisan, b.Artisans)
	}
	var got struct {
		Artisans []string `json:"artisans"`
	}
	call(t, c, http.MethodGet, s.base+"/api/v1/bookings/"+b.ID+"?token="+b.ManageToken, nil, http.StatusOK, &got)
	if len(got.Artisans) != 2 {
		t.Errorf("the booking read back holds %v, want two artisans", got.Artisans)
	}

	// Each artisan is busy then: no other customer can book either.
	for _, a := range []string{"mei", "arjun"} {
		for _, sl := range slots("bespoke-design", "virtual", a) {
			if sl.Start == start {
				t.Errorf("%s is still offered at %s for another booking", a, start)
			}
		}
		call(t, c, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
			"service": "bespoke-design", "mode": "virtual", "start": start, "artisan": a,
			"customer": map[string]string{"name": "Grace Hopper", "email": "grace@example.net"},
		}, http.StatusConflict, nil)
	}
	call(t, c, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "design-with-stones", "mode": "virtual", "start": start,
		"customer": map[string]string{"name": "Grace Hopper", "email": "grace@example.net"},
	}, http.StatusConflict, nil)

	// A move keeps both: to a time both are free it is made with both; to a
	// time one of them has another booking it is 409 and nothing changes.
	if len(team) < 3 {
		t.Fatalf("only %d team slots in two weeks", len(team))
	}
	var moved struct {
		Artisans []string `json:"artisans"`
		Start    string   `json:"start"`
	}
	later, busy := team[len(team)-1].Start, ""
	for _, sl := range team { // another day than the move's, so that only the team's rule is tested
		if mustTime(t, sl.Start).In(loc).YearDay() != mustTime(t, later).In(loc).YearDay() {
			busy = sl.Start
			break
		}
	}
	if busy == "" {
		t.Fatal("the team's times are all on one day")
	}
	call(t, c, http.MethodPost, s.base+"/api/v1/bookings/"+b.ID+"/reschedule?token="+b.ManageToken,
		map[string]string{"start": later}, http.StatusOK, &moved)
	if len(moved.Artisans) != 2 {
		t.Errorf("moved with %v, want both artisans", moved.Artisans)
	}
	call(t, c, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "bespoke-design", "mode": "virtual", "start": busy, "artisan": "arjun",
		"customer": map[string]string{"name": "Grace Hopper", "email": "grace@example.net"},
	}, http.StatusCreated, nil)
	call(t, c, http.MethodPost, s.base+"/api/v1/bookings/"+b.ID+"/reschedule?token="+b.ManageToken,
		map[string]string{"start": busy}, http.StatusConflict, nil)
	call(t, c, http.MethodGet, s.base+"/api/v1/bookings/"+b.ID+"?token="+b.ManageToken, nil, http.StatusOK, &moved)
	if st1, _ := time.Parse(time.RFC3339, moved.Start); len(moved.Artisans) != 2 || !st1.Equal(mustTime(t, later)) {
		t.Errorf("after a refused move the booking is at %s with %v, want %s with both", moved.Start, moved.Artisans, later)
	}

	// Each artisan gets the notice.
	notified := map[string]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for !(notified["mei"] && notified["arjun"]) {
		names, _ := filepath.Glob(filepath.Join(s.dir, "mail-outbox", "*-staff_notice-"+b.ID+"-*.eml"))
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"mei", "arjun"} {
				if strings.Contains(string(data), "To: ") && strings.Contains(strings.ToLower(headerTo(string(data))), a+"@keongsaikatelier.example") {
					notified[a] = true
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("notices reached %v, want both artisans\n%s", notified, s.log)
		}
		time.Sleep(20 * time.Millisecond) // polling the outbox folder, not hiding a race
	}

	// The customer's manage page names both.
	if code, page := get(t, c, s.base+"/bookings/"+b.ID+"?token="+b.ManageToken); code != http.StatusOK ||
		!strings.Contains(string(page), "Tan Mei Ling") || !strings.Contains(string(page), "Arjun Nair") {
		t.Errorf("the manage page (%d) does not name both artisans", code)
	}

	// The invitation names both.
	ev := inviteEvent(t, s.customerMail("confirmation", b.ID))
	summary, _ := ev.Props.Text("SUMMARY")
	desc, _ := ev.Props.Text("DESCRIPTION")
	for _, name := range []string{"Tan Mei Ling", "Arjun Nair"} {
		if !strings.Contains(summary+"\n"+desc, name) {
			t.Errorf("the invitation does not name %s:\nSUMMARY %s\nDESCRIPTION %s", name, summary, desc)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// headerTo is the To header of a raw message.
func headerTo(raw string) string {
	for _, line := range strings.Split(raw, "\r\n") {
		if strings.HasPrefix(line, "To: ") {
			return line
		}
		if line == "" {
			break
		}
	}
	return ""
}
