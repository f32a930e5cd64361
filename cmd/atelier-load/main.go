// Command atelier-load drives a running atelier server over HTTP on
// loopback and prints what it saw. It is the proof-under-load tool of
// docs/PERFORMANCE.md:
//
//	atelier-load race        [--clients 200] [--slots 20] [--rounds 6]
//	atelier-load mixed       [--rate 500] [--duration 30s] [--mix avail=70,book=15,reschedule=10,cancel=5]
//	atelier-load idempotency [--clients 50] [--rounds 5]
//	atelier-load seed        [--bookings 10000] [--days 62]
//	atelier-load startup     --bin PATH [--config PATH]
//
// Every sub-command takes --url (default http://127.0.0.1:8080; given
// several times, or as a comma-separated list, the requests are spread
// over the servers in turn, as a load balancer would) and --timeout (a
// bound on the whole run). Every loop is bounded in count and
// in time. The server should run with the rate limits off and a catalogue
// with room for many bookings, e.g. testdata/load.yaml:
//
//	go run ./cmd/atelier --config cmd/atelier-load/testdata/load.yaml --db /tmp/load.db
//
// The exit status is 0 when every check passed, 1 when a check failed (a
// 5xx, a double booking, a lost booking, a missed goal) and 2 on a usage
// error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	_ "time/tzdata" // the atelier's zone loads on a machine without a zone database
)

const usage = `Usage:
  atelier-load race        [--clients N] [--slots M] [--rounds R] [--service ID]
  atelier-load mixed       [--rate R] [--duration D] [--mix avail=70,book=15,reschedule=10,cancel=5] [--pid PID]
  atelier-load idempotency [--clients N] [--rounds R]
  atelier-load seed        [--bookings N] [--days D] [--concurrency C]
  atelier-load startup     --bin PATH [--config PATH] [--db PATH]

Common flags: --url http://127.0.0.1:8080 (repeat it, or list URLs with commas,
to spread the requests over several servers on one database), --timeout
(bound on the whole run).
Run "atelier-load SUB-COMMAND -h" for the flags of a sub-command.
`

// errFailed means a check failed; the details were printed.
var errFailed = errors.New("checks failed")

var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "atelier-load:", err)
		os.Exit(1)
	}
}

// common are the flags of every sub-command.
type common struct {
	urls    urlList
	timeout time.Duration
}

func (c *common) register(fs *flag.FlagSet, timeout time.Duration) {
	c.urls = urlList{list: []string{"http://127.0.0.1:8080"}}
	fs.Var(&c.urls, "url", "base `URL` of a server (loopback only); repeat it, or separate URLs with commas, to spread the load over several servers")
	fs.DurationVar(&c.timeout, "timeout", timeout, "bound on the whole run")
}

// urlList is the value of --url: one or more base URLs. The first --url
// given replaces the default; later ones add to it.
type urlList struct {
	list []string
	set  bool
}

func (l *urlList) String() string { return strings.Join(l.list, ",") }

func (l *urlList) Set(v string) error {
	if !l.set {
		l.list, l.set = nil, true
	}
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			l.list = append(l.list, u)
		}
	}
	if len(l.list) == 0 {
		return errors.New("no URL")
	}
	return nil
}

// check refuses anything but loopback servers: this tool is a load
// generator and must never be pointed at someone else's service.
func (c *common) check() error {
	for _, s := range c.urls.list {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("--url %q: want http://127.0.0.1:PORT", s)
		}
		switch u.Hostname() {
		case "127.0.0.1", "::1", "localhost":
			continue
		}
		return fmt.Errorf("--url %q: only loopback servers (127.0.0.1, ::1, localhost) may be loaded", s)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet("atelier-load "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	var start func(ctx context.Context, cl *client) error
	switch cmd {
	case "race":
		o := raceOptions{}
		c.register(fs, 5*time.Minute)
		o.register(fs)
		start = func(ctx context.Context, cl *client) error { return runRace(ctx, cl, o, stdout) }
	case "mixed":
		o := mixedOptions{}
		c.register(fs, 10*time.Minute)
		o.register(fs)
		start = func(ctx context.Context, cl *client) error { return runMixed(ctx, cl, o, stdout) }
	case "idempotency":
		o := idemOptions{}
		c.register(fs, 2*time.Minute)
		o.register(fs)
		start = func(ctx context.Context, cl *client) error { return runIdempotency(ctx, cl, o, stdout) }
	case "seed":
		o := seedOptions{}
		c.register(fs, 10*time.Minute)
		o.register(fs)
		start = func(ctx context.Context, cl *client) error { return runSeed(ctx, cl, o, stdout) }
	case "startup":
		o := startupOptions{}
		fs.DurationVar(&c.timeout, "timeout", time.Minute, "bound on the whole run")
		o.register(fs)
		if err := fs.Parse(rest); err != nil {
			return usageErr(err)
		}
		ctx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		return runStartup(ctx, o, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "atelier-load: unknown sub-command %q\n%s", cmd, usage)
		return errUsage
	}
	if err := fs.Parse(rest); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "atelier-load %s: unexpected argument %q\n", cmd, fs.Arg(0))
		return errUsage
	}
	if err := c.check(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if n := len(c.urls.list); n > 1 {
		fmt.Fprintf(stdout, "spreading the requests over %d servers: %s\n", n, c.urls.String())
	}
	return start(ctx, newClient(1024, c.urls.list...))
}

func usageErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return errUsage
}
