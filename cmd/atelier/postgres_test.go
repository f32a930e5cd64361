package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

// The tests of serving on PostgreSQL use the package's PostgreSQL server
// (pgtest: skipped without one, failed under ATELIER_REQUIRE_POSTGRES=1).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// postgresConfig writes the demo configuration on driver postgres at url
// (empty: the URL comes from the environment), with extra appended, into
// dir and returns its path.
func postgresConfig(t *testing.T, dir, url, extra string) string {
	t.Helper()
	path := writePostgresConfig(t, url)
	if extra != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(extra)
		f.Close()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// api is a small client of one server's JSON API.
type api struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newAPI(t *testing.T, addr string) *api {
	return &api{t: t, base: "http://" + addr, hc: &http.Client{Timeout: 20 * time.Second}}
}

// do sends body as JSON and decodes a JSON answer into out (when set),
// returning the status.
func (a *api) do(method, path string, body any, header http.Header, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := a.hc.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && len(data) > 0 && res.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, data, err)
		}
	}
	return res.StatusCode
}

type slotView struct {
	Start    string   `json:"start"`
	Artisans []string `json:"artisans"`
}

// freeSlots are the free ring-sizing visits from two to nine days on.
func (a *api) freeSlots() []slotView {
	a.t.Helper()
	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	var av struct{ Slots []slotView }
	if s := a.do(http.MethodGet, "/api/v1/availability?service=ring-sizing&mode=in_person&from="+from+"&to="+to, nil, nil, &av); s != http.StatusOK {
		a.t.Fatalf("availability: %d", s)
	}
	return av.Slots
}

type bookedView struct {
	ID          string `json:"id"`
	Start       string `json:"start"`
	Status      string `json:"status"`
	ManageToken string `json:"manage_token"`
	Code        string `json:"code"`
}

func (a *api) book(start, email string) (bookedView, int) {
	a.t.Helper()
	var b bookedView
	s := a.do(http.MethodPost, "/api/v1/bookings", map[string]any{"service": "ring-sizing", "mode": "in_person", "start": start,
		"customer": map[string]string{"name": "Cleo", "email": email}}, nil, &b)
	return b, s
}

// TestServeFromACopy: the demo served on SQLite takes a booking; db copy
// moves the database into PostgreSQL; served from the copy, the booking
// opens with its manage token and its slot is taken.
func TestServeFromACopy(t *testing.T) {
	url := pgtest.Database(t)
	dir := t.TempDir()
	t.Chdir(dir)
	sqliteDB := filepath.Join(dir, "atelier.db")

	rs := startServer(t, nil, "--db", sqliteDB, "--addr", "127.0.0.1:0")
	c := newAPI(t, rs.addr)
	slots := c.freeSlots()
	if len(slots) == 0 {
		t.Fatal("no free slot")
	}
	b, status := c.book(slots[0].Start, "cleo@example.com")
	if status != http.StatusCreated {
		t.Fatalf("booking on SQLite: %d", status)
	}
	if err := rs.stop(); err != nil {
		t.Fatal(err)
	}

	out, _, err := runMain(t, "", "--db", sqliteDB, "db", "copy", "--to", url)
	if err != nil {
		t.Fatalf("db copy: %v", err)
	}
	for _, want := range []string{"counts checked", "bookings", "jobs", "booking_tokens"} {
		if !strings.Contains(out, want) {
			t.Errorf("db copy said %q, want it to mention %q", out, want)
		}
	}

	cfg := postgresConfig(t, dir, url, "")
	rs = startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0")
	c = newAPI(t, rs.addr)
	var got bookedView
	if s := c.do(http.MethodGet, "/api/v1/bookings/"+b.ID, nil, http.Header{"Authorization": {"Bearer " + b.ManageToken}}, &got); s != http.StatusOK {
		t.Fatalf("the copied booking by its manage token on PostgreSQL: %d", s)
	}
	if got.ID != b.ID || got.Start != b.Start || got.Status != "confirmed" {
		t.Errorf("copied booking %+v, want %+v", got, b)
	}
	if _, s := c.book(b.Start, "other@example.com"); s != http.StatusConflict {
		t.Errorf("booking the copied booking's slot again: %d, want 409", s)
	}
	for _, s := range c.freeSlots() {
		if s.Start == b.Start && len(s.Artisans) >= len(slots[0].Artisans) {
			t.Errorf("the copied booking's slot %s is offered with all its artisans", s.Start)
		}
	}
	// A second copy into the now used database is refused.
	if _, _, err := runMain(t, "", "--db", sqliteDB, "db", "copy", "--to", url); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second copy: %v, want a refusal of the non-empty database", err)
	}
}

// TestUserAddOnPostgres: a staff account made with atelier user add (URL
// from the environment) signs in on a server on PostgreSQL.
func TestUserAddOnPostgres(t *testing.T) {
	url := pgtest.Database(t)
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("ATELIER_DATABASE_URL", url)
	cfg := postgresConfig(t, dir, "", "")
	out, stderr, err := runMain(t, "a long enough password\n", "--config", cfg, "user", "add", "--email", "ada@example.com", "--name", "Ada", "--role", "admin", "--password-stdin")
	if err != nil {
		t.Fatalf("user add: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "created admin account ada@example.com") {
		t.Errorf("user add said %q", out)
	}
	if strings.Contains(stderr, url) || !strings.Contains(stderr, "database: postgres ") {
		t.Errorf("user add's stderr %q: want the database named without its URL", stderr)
	}
	list, _, err := runMain(t, "", "--config", cfg, "user", "list")
	if err != nil || !strings.Contains(list, "ada@example.com") {
		t.Fatalf("user list: %v %q", err, list)
	}
	if _, _, err := runMain(t, "", "--config", cfg, "--db", "x.db", "user", "list"); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("--db with driver postgres: %v, want a refusal", err)
	}

	rs := startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0")
	c := newAPI(t, rs.addr)
	if s := c.do(http.MethodPost, "/api/v1/staff/login", map[string]string{"email": "ada@example.com", "password": "a long enough password"}, nil, nil); s != http.StatusOK {
		t.Errorf("signing in on PostgreSQL: %d", s)
	}
}

// TestLimitsAcrossServers: two servers on one database hold a client to
// one budget of failed sign-ins and of bookings.
func TestLimitsAcrossServers(t *testing.T) {
	url := pgtest.Database(t)
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := postgresConfig(t, dir, url, "")
	cfgText, _ := os.ReadFile(cfg)
	cfgText = bytes.Replace(cfgText, []byte("  bookings_per_minute: 20\n"), []byte("  bookings_per_minute: 4\n"), 1)
	cfgText = bytes.Replace(cfgText, []byte("  logins_per_minute: 10\n"), []byte("  logins_per_minute: 3\n"), 1)
	os.WriteFile(cfg, cfgText, 0o600)

	a := newAPI(t, startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0").addr)
	b := newAPI(t, startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0").addr)
	servers := []*api{a, b}

	for i := range 3 {
		s := servers[i%2].do(http.MethodPost, "/api/v1/staff/login", map[string]string{"email": "nobody@example.com", "password": "wrong password"}, nil, nil)
		if s != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d, want 401", i+1, s)
		}
	}
	for i, c := range servers {
		if s := c.do(http.MethodPost, "/api/v1/staff/login", map[string]string{"email": "nobody@example.com", "password": "wrong"}, nil, nil); s != http.StatusTooManyRequests {
			t.Errorf("a 4th failed sign-in on server %d: %d, want 429", i+1, s)
		}
	}

	slots := spread(a.freeSlots(), 3*time.Hour)
	if len(slots) < 6 {
		t.Fatalf("%d free slots 3 hours apart", len(slots))
	}
	for i := range 4 {
		if _, s := servers[i%2].book(slots[i].Start, fmt.Sprintf("c%d@example.com", i)); s != http.StatusCreated {
			t.Fatalf("booking %d: %d", i+1, s)
		}
	}
	for i, c := range servers {
		if _, s := c.book(slots[4+i].Start, "c9@example.com"); s != http.StatusTooManyRequests {
			t.Errorf("a 5th booking in the minute on server %d: %d, want 429", i+1, s)
		}
	}
}

// spread keeps the slots at least gap apart, so that booking one takes
// nothing from the next.
func spread(slots []slotView, gap time.Duration) []slotView {
	var out []slotView
	var last time.Time
	for _, s := range slots {
		t, err := time.Parse(time.RFC3339, s.Start)
		if err != nil || (!last.IsZero() && t.Sub(last) < gap) {
			continue
		}
		out = append(out, s)
		last = t
	}
	return out
}

// TestConcurrentBookingsOnASmallPool: more bookings at once than the
// server has connections all succeed. A booking's transaction holds a
// connection while it renders its e-mails, so nothing it does then may
// need a second one (the e-mails' catalogue is a cache kept current by
// the database's announcements).
func TestConcurrentBookingsOnASmallPool(t *testing.T) {
	url := pgtest.Database(t) + "&pool_max_conns=2"
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := postgresConfig(t, dir, url, "")
	cfgText, _ := os.ReadFile(cfg)
	cfgText = bytes.Replace(cfgText, []byte("  bookings_per_minute: 20\n"), []byte("  bookings_per_minute: 0\n"), 1)
	os.WriteFile(cfg, cfgText, 0o600)
	c := newAPI(t, startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0").addr)
	slots := spread(c.freeSlots(), 2*time.Hour)
	if len(slots) < 8 {
		t.Fatalf("%d free slots 2 hours apart", len(slots))
	}
	slots = slots[:8]
	statuses := make(chan int, len(slots))
	for i, s := range slots {
		go func() {
			_, st := c.book(s.Start, fmt.Sprintf("p%d@example.com", i))
			statuses <- st
		}()
	}
	for range slots {
		if st := <-statuses; st != http.StatusCreated {
			t.Errorf("a booking among 8 at once on a pool of 2: %d, want 201", st)
		}
	}
}

// A PostgreSQL server that cannot be reached stops the start with the
// operator's words (where, why, what to check), not the customers' "busy
// just now", and without the URL's password.
func TestUnreachablePostgres(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("ATELIER_DATABASE_URL", "postgres://atelier:s3cret-pw@127.0.0.1:1/atelier?sslmode=disable&connect_timeout=2")
	cfg := postgresConfig(t, dir, "", "")
	_, stderr, err := runMain(t, "", "--config", cfg, "user", "list")
	if err == nil {
		t.Fatal("user list on an unreachable database succeeded")
	}
	msg := err.Error() + stderr
	if !strings.Contains(msg, "cannot reach the PostgreSQL database atelier@127.0.0.1:1/atelier") || !strings.Contains(msg, "ATELIER_DATABASE_URL") {
		t.Errorf("the operator is told %q", err)
	}
	if strings.Contains(msg, "busy just now") || strings.Contains(msg, "s3cret-pw") {
		t.Errorf("the message has customer wording or the password: %q", msg)
	}
}

// TestPostgresPoolMetrics: with PostgreSQL the metrics report this
// server's connection pool (its size, its connections by state, and the
// acquires that had to wait), where SQLite reports its database/sql pools.
func TestPostgresPoolMetrics(t *testing.T) {
	url := pgtest.Database(t)
	dir := t.TempDir()
	t.Chdir(dir)
	path := writePostgresConfig(t, url)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	withMetrics := strings.Replace(string(data), "  metrics_addr: \"\"", "  metrics_addr: 127.0.0.1:0", 1)
	if withMetrics == string(data) {
		t.Fatal("the demo configuration has no metrics_addr to set")
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(withMetrics), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := startServer(t, nil, "--config", cfg, "--addr", "127.0.0.1:0")
	c := newAPI(t, rs.addr)
	if s := c.do(http.MethodGet, "/api/v1/services", nil, nil, nil); s != http.StatusOK {
		t.Fatalf("GET /api/v1/services: %d", s)
	}
	fams := scrape(t, rs.metricsAddr)
	if got := value(sample(fams, "atelier_pg_pool_max_connections", nil)); got != defaultMaxConns {
		t.Errorf("atelier_pg_pool_max_connections = %v, want %d", got, defaultMaxConns)
	}
	if m := sample(fams, "atelier_pg_pool_acquires_total", nil); m == nil || value(m) < 1 {
		t.Errorf("atelier_pg_pool_acquires_total: %v, want at least 1", m)
	}
	for _, state := range []string{"acquired", "idle", "constructing"} {
		if sample(fams, "atelier_pg_pool_connections", map[string]string{"state": state}) == nil {
			t.Errorf("no atelier_pg_pool_connections{state=%q}", state)
		}
	}
	if _, ok := fams["atelier_pg_pool_acquire_seconds_total"]; !ok {
		t.Error("no atelier_pg_pool_acquire_seconds_total")
	}
}
