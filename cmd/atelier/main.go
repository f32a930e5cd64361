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

// Env is the outside world of one run: standard streams and, for tests, a
// hook told the address the server listens on.
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
}

var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
