package main

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/photo/phototest"
)

// privacyServer is googleServer with its log kept, the folder and
// database returned, and jobs polled often.
func privacyServer(t *testing.T, fake *gcaltest.Server) (base string, admin *http.Client, dir, db string, log *syncBuffer) {
	t.Helper()
	seams := Seams{JobPolicy: outbox.Policy{Backoff: outbox.Backoff{Base: 100 * time.Millisecond, Max: 500 * time.Millisecond}, Poll: 100 * time.Millisecond}}
	dir = t.TempDir()
	t.Chdir(dir)
	yaml := string(atelier.ExampleConfig)
	for old, new := range map[string]string{
		"google_calendar:\n  # Turn the sync on.\n  enabled: false": "google_calendar:\n  enabled: true",
		"  endpoint: \"\"":                "  endpoint: " + fake.Endpoint(),
		"  auth: service_account":         "  auth: none",
		"    google_calendar_id: primary": "    google_calendar_id: mei-cal",
		"  sync_interval: 2m":             "  sync_interval: 1h",
		"  reminder_hours_before: 24":     "  reminder_hours_before: 0",
		"  logins_per_minute: 10":         "  logins_per_minute: 0",
		"  bookings_per_minute: 20":       "  bookings_per_minute: 0",
	} {
		if !strings.Contains(yaml, old) {
			t.Fatalf("the example configuration no longer has %q", old)
		}
		yaml = strings.Replace(yaml, old, new, 1)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "atelier.db")
	const pw = "a long enough password"
	if _, stderr, err := runMain(t, pw+"\n", "--config", cfgPath, "--db", db, "user", "add",
		"--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	log = &syncBuffer{}
	go func() {
		done <- Main(ctx, []string{"--config", cfgPath, "--db", db, "--addr", "127.0.0.1:0"},
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: log, Ready: func(a string) { ready <- a }, Seams: seams})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	jar, _ := cookiejar.New(nil)
	admin = &http.Client{Jar: jar, Timeout: 30 * time.Second}
	call(t, admin, http.MethodPost, base+"/api/v1/staff/login", map[string]string{"email": "boss@example.com", "password": pw}, http.StatusOK, nil)
	return base, admin, dir, db, log
}

// privacyLink waits for the n-th privacy e-mail of booking id (1-based)
// and returns the token of its link.
func privacyLink(t *testing.T, dir, id string, n int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		names, _ := filepath.Glob(filepath.Join(dir, "mail-outbox", "*-privacy_link-"+id+"-*.eml"))
		if len(names) >= n {
			var raw []byte
			for _, name := range names { // the n-th by job id, the last part of the name
				if strings.HasSuffix(name, "-"+jobOrdinal(names, n)+".eml") {
					raw, _ = os.ReadFile(name)
				}
			}
			body, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
			m := regexp.MustCompile(`/privacy\?token=([A-Za-z0-9_-]+)`).FindSubmatch(body)
			if m == nil {
				t.Fatalf("no privacy link in the e-mail:\n%s", raw)
			}
			return string(m[1])
		}
		if time.Now().After(deadline) {
			t.Fatalf("no privacy e-mail %d for %s", n, id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobOrdinal is the n-th smallest job id among the e-mail files' names
// (…-JOB.eml).
func jobOrdinal(names []string, n int) string {
	var ids []int
	for _, name := range names {
		base := strings.TrimSuffix(filepath.Base(name), ".eml")
		id, _ := strconv.Atoi(base[strings.LastIndex(base, "-")+1:])
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return strconv.Itoa(ids[n-1])
}

// moveBooking shifts booking id's times by d in the database (the API books
// nothing in the past).
func moveBooking(t *testing.T, db, id string, d time.Duration) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var cols []string
	for _, c := range []string{"start_at", "end_at", "block_start", "block_end"} {
		cols = append(cols, c+" = strftime('%Y-%m-%dT%H:%M:%fZ', "+c+", ?1)")
	}
	mod := strconv.Itoa(int(d/time.Second)) + " seconds"
	if _, err := raw.Exec(`UPDATE bookings SET `+strings.Join(cols, ", ")+` WHERE id = ?2`, mod, id); err != nil {
		t.Fatal(err)
	}
}

// TestPersonalDataEndToEnd: a customer with a past booking (answers and a
// photo) and a coming one asks for a copy from the manage page, gets the
// link by e-mail and downloads the ZIP with their answers and photo; asks
// for the erasure and confirms it by the mailed link: the past booking is
// anonymised, its photo is 404, the search finds nothing of it, the coming
// booking is intact, the past booking's Google event no longer names the
// customer, the audit says the erasure happened without the data; the
// retention job erases an 8-year-old booking and keeps a 1-year-old one;
// the log holds none of the personal data.
func TestPersonalDataEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	fake := gcaltest.NewServer()
	t.Cleanup(fake.Close)
	base, admin, dir, db, log := privacyServer(t, fake)
	slots := apart(t, meiSlots(t, base), 4)
	const name, email, answer = "Philippa Quartermaine", "philippa.q@example.org", "A padparadscha sapphire"
	bookAs := func(start, who, address string) (id, token string) {
		var b struct {
			ID          string `json:"id"`
			ManageToken string `json:"manage_token"`
		}
		call(t, http.DefaultClient, http.MethodPost, base+"/api/v1/bookings", map[string]any{
			"service": "bespoke-design", "mode": "virtual", "artisan": "mei", "start": start,
			"customer": map[string]string{"name": who, "email": address, "phone": "+44 7700 900123"},
			"answers":  map[string]any{"stones": answer},
		}, http.StatusCreated, &b)
		return b.ID, b.ManageToken
	}
	pastID, pastToken := bookAs(slots[0].Start, name, email)
	comingID, comingToken := bookAs(slots[1].Start, name, email)
	if status, body := postPhoto(t, base, pastID, pastToken, phototest.PNG(t, 60, 40)); status != http.StatusCreated {
		t.Fatalf("photo: %d %s", status, body)
	}
	var listed struct{ Photos []struct{ ID string } }
	call(t, http.DefaultClient, http.MethodGet, base+"/api/v1/bookings/"+pastID+"/photos?token="+pastToken, nil, http.StatusOK, &listed)
	photos := listed.Photos
	eventually(t, "the first booking's event is in Mei's calendar", func() bool {
		ev := fake.Events("mei-cal")[gcal.EventID(pastID)]
		return ev != nil && strings.Contains(ev.Summary, name)
	})
	moveBooking(t, db, pastID, -10*24*time.Hour) // it happened ten days ago

	// The copy: asked on the manage page, the link comes by e-mail.
	form := func(path string, v url.Values) *http.Response {
		t.Helper()
		resp, err := http.PostForm(base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := form("/bookings/"+comingID+"/privacy?token="+url.QueryEscape(comingToken), url.Values{"purpose": {"export"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "privacy_sent=export") {
		t.Fatalf("asking for a copy: %d %s", resp.StatusCode, resp.Request.URL)
	}
	token := privacyLink(t, dir, comingID, 1)
	status, page := get(t, http.DefaultClient, base+"/privacy?token="+token)
	if status != http.StatusOK || !bytes.Contains(page, []byte("Download my data")) {
		t.Fatalf("the copy's page: %d %s", status, page)
	}
	resp = form("/privacy/export", url.Values{"token": {token}})
	zipped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", resp.StatusCode, zipped)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var data struct {
		Customer struct{ Email string }
		Bookings []struct {
			Reference string
			Answers   map[string]json.RawMessage
			Photos    []struct{ File string }
		}
	}
	if err := json.Unmarshal(files["data.json"], &data); err != nil {
		t.Fatalf("data.json: %v (%d files)", err, len(files))
	}
	if data.Customer.Email != email || len(data.Bookings) != 2 {
		t.Fatalf("data.json: %s", files["data.json"])
	}
	var sawPhoto bool
	for _, b := range data.Bookings {
		if string(b.Answers["stones"]) != `"`+answer+`"` {
			t.Errorf("booking %s's answers in the copy: %s", b.Reference, b.Answers)
		}
		for _, p := range b.Photos {
			sawPhoto = sawPhoto || len(files[p.File]) > 0 && bytes.HasPrefix(files[p.File], []byte("\xff\xd8"))
		}
	}
	if !sawPhoto {
		t.Errorf("the photo is not in the ZIP: %v", files)
	}

	// The erasure: asked on the manage page, confirmed by the mailed link.
	resp = form("/bookings/"+comingID+"/privacy?token="+url.QueryEscape(comingToken), url.Values{"purpose": {"erase"}})
	resp.Body.Close()
	eraseToken := privacyLink(t, dir, comingID, 2)
	status, page = get(t, http.DefaultClient, base+"/privacy?token="+eraseToken)
	if status != http.StatusOK || !bytes.Contains(page, []byte("1 past or cancelled booking will be erased")) || !bytes.Contains(page, []byte("1 coming appointment is kept")) {
		t.Fatalf("the erasure's page: %d %s", status, page)
	}
	resp = form("/privacy/erase", url.Values{"token": {eraseToken}})
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("the personal data of 1 booking is erased")) {
		t.Fatalf("erase: %d %s", resp.StatusCode, page)
	}
	if resp := form("/privacy/erase", url.Values{"token": {eraseToken}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the erase link used twice: %d", resp.StatusCode)
	}

	var past, coming struct {
		Customer struct{ Name, Email, Phone string }
		Answers  map[string]any
		ErasedAt string `json:"erased_at"`
	}
	call(t, admin, http.MethodGet, base+"/api/v1/staff/bookings/"+pastID, nil, http.StatusOK, &past)
	if past.Customer.Name != "" || past.Customer.Email != "" || past.Customer.Phone != "" || len(past.Answers) != 0 || past.ErasedAt == "" {
		t.Errorf("the past booking after the erasure: %+v", past)
	}
	call(t, admin, http.MethodGet, base+"/api/v1/staff/bookings/"+comingID, nil, http.StatusOK, &coming)
	if coming.Customer.Name != name || coming.Customer.Email != email || len(coming.Answers) != 1 || coming.ErasedAt != "" {
		t.Errorf("the coming booking after the erasure: %+v", coming)
	}
	if status, _ := get(t, admin, base+"/api/v1/bookings/"+pastID+"/photos/"+photos[0].ID); status != http.StatusNotFound {
		t.Errorf("the erased photo: %d, want 404", status)
	}
	var found struct {
		Bookings []struct{ ID string }
	}
	call(t, admin, http.MethodGet, base+"/api/v1/staff/search?q=quartermaine", nil, http.StatusOK, &found)
	if len(found.Bookings) != 1 || found.Bookings[0].ID != comingID {
		t.Errorf("search after the erasure: %+v", found.Bookings)
	}
	eventually(t, "the past booking's Google event no longer names the customer", func() bool {
		ev := fake.Events("mei-cal")[gcal.EventID(pastID)]
		return ev != nil && !strings.Contains(ev.Summary+ev.Description, "Philippa")
	})
	if ev := fake.Events("mei-cal")[gcal.EventID(comingID)]; ev == nil || !strings.Contains(ev.Summary, name) {
		t.Errorf("the coming booking's event: %+v", ev)
	}
	var audit []struct {
		Action string          `json:"action"`
		Target string          `json:"target"`
		Before json.RawMessage `json:"before"`
		After  json.RawMessage `json:"after"`
	}
	call(t, admin, http.MethodGet, base+"/api/v1/staff/audit?from="+time.Now().AddDate(0, 0, -1).Format(time.DateOnly)+"&to="+time.Now().AddDate(0, 0, 1).Format(time.DateOnly), nil, http.StatusOK, &audit)
	var erasedRow bool
	for _, a := range audit {
		erasedRow = erasedRow || a.Action == "customer.erased"
		row := string(a.Before) + string(a.After) + a.Target
		if a.Action == "customer.erased" && (strings.Contains(row, "Philippa") || strings.Contains(row, email)) {
			t.Errorf("the erasure's audit row holds the data: %s", row)
		}
	}
	if !erasedRow {
		t.Errorf("no customer.erased row in the audit log (%d rows)", len(audit))
	}
	retention(t, base, admin, db, slots[2:])
	if !strings.Contains(log.String(), "personal data erased") || !strings.Contains(log.String(), "personal data past its retention erased") {
		t.Errorf("the log does not tell of the erasures:\n%s", log)
	}
	for _, secret := range []string{name, email, "Quartermaine", answer, "900123", "Old Customer", "old@example.org"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// retention: the daily job erases an 8-year-old booking and keeps a
// 1-year-old one.
func retention(t *testing.T, base string, admin *http.Client, db string, slots []slot) {
	t.Helper()
	book := func(start, who, address string) string {
		var b struct{ ID string }
		call(t, http.DefaultClient, http.MethodPost, base+"/api/v1/bookings", map[string]any{
			"service": "bespoke-design", "mode": "virtual", "artisan": "mei", "start": start,
			"customer": map[string]string{"name": who, "email": address},
		}, http.StatusCreated, &b)
		return b.ID
	}
	oldID := book(slots[0].Start, "Old Customer", "old@example.org")
	recentID := book(slots[1].Start, "Recent Customer", "recent@example.org")
	moveBooking(t, db, oldID, -8*365*24*time.Hour)
	moveBooking(t, db, recentID, -365*24*time.Hour)
	raw, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The job every server offers runs at 03:00: make it due now.
	res, err := raw.Exec(`UPDATE jobs SET run_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second') WHERE queue = 'privacy' AND state = 'pending'`)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("the pending retention job: %d, %v", n, err)
	}
	var old, recent struct {
		Customer struct{ Name string }
		ErasedAt string `json:"erased_at"`
	}
	eventually(t, "the retention job erases the 8-year-old booking", func() bool {
		call(t, admin, http.MethodGet, base+"/api/v1/staff/bookings/"+oldID, nil, http.StatusOK, &old)
		return old.ErasedAt != ""
	})
	call(t, admin, http.MethodGet, base+"/api/v1/staff/bookings/"+recentID, nil, http.StatusOK, &recent)
	if old.Customer.Name != "" || recent.Customer.Name != "Recent Customer" || recent.ErasedAt != "" {
		t.Errorf("after the retention job: old %+v, recent %+v", old, recent)
	}
}
