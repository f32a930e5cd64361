package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// runningServer is a server started through Main by startServer.
type runningServer struct {
	addr        string // the public listener
	metricsAddr string // the metrics listener, "" when off
	stop        func() error
}

// startServer runs Main with args in the current folder (the caller picks
// it, e.g. with t.Chdir) and stderr as its log, and waits until it
// serves. stop cancels it and returns Main's result; cleanup calls stop
// when the test did not.
func startServer(t *testing.T, stderr io.Writer, args ...string) *runningServer {
	t.Helper()
	if stderr == nil {
		stderr = io.Discard
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	metrics := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, args, Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr,
			Ready:        func(a string) { ready <- a },
			MetricsReady: func(a string) { metrics <- a }})
	}()
	var (
		stopped bool
		result  error
	)
	s := &runningServer{stop: func() error {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result
	}}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case s.addr = <-ready:
	case err := <-done:
		stopped, result = true, err
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	select {
	case s.metricsAddr = <-metrics:
	default:
	}
	return s
}

// startMainLog is startMain with the log written to stderr.
func startMainLog(t *testing.T, stderr io.Writer, args ...string) string {
	t.Helper()
	t.Chdir(t.TempDir())
	return startServer(t, stderr, args...).addr
}
