// Command atelier serves the booking service of a bespoke jewellery atelier.
//
//	atelier [serve] [--config PATH] [--db PATH] [--addr HOST:PORT]
//	atelier user add --email E --name N --role admin|artisan [--artisan ID] --password-stdin
//
// With no --config it uses ./config.yaml when present, else the demo
// configuration embedded in the binary. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/outbox"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "atelier:", err)
		}
		os.Exit(exitCode(err))
	}
}

// Env is the outside world of one run: standard streams and, for tests,
// hooks told the addresses the server listens on and the seams they change.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Ready, when set, is called with the listening address once the server
	// accepts connections.
	Ready func(addr string)
	// MetricsReady, when set, is called with the address of the metrics
	// listener (server.metrics_addr) once it accepts connections, before
	// Ready.
	MetricsReady func(addr string)
	// RedirectReady, when set, is called with the address of the
	// HTTP-to-HTTPS redirect listener (server.tls.redirect_addr).
	RedirectReady func(addr string)
	// Seams are what tests change of a run; the zero value is production.
	Seams Seams
}

// Seams are the settings of a run that tests change and a user cannot:
// they are passed in, so that no test changes package state.
type Seams struct {
	// JobPolicy is how the job queues are claimed and retried (tests
	// shorten the backoff and the poll); zero fields are the outbox
	// defaults.
	JobPolicy outbox.Policy
	// PasswordParams, when set, are the argon2id costs of the password
	// hashes that user add and user passwd make (tests make them cheap);
	// auth.DefaultParams otherwise.
	PasswordParams *auth.Params
	// Now, when set, is the clock of the application, the e-mails and the
	// job runners (tests move it on to let requests expire); time.Now
	// otherwise. The database's own timestamps keep the real time.
	Now func() time.Time
}

// now is the run's clock.
func (s Seams) now() func() time.Time {
	if s.Now != nil {
		return s.Now
	}
	return time.Now
}

func (s Seams) passwordParams() auth.Params {
	if s.PasswordParams != nil {
		return *s.PasswordParams
	}
	return auth.DefaultParams
}

var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
