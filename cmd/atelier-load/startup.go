package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

type startupOptions struct {
	bin    string
	config string
	db     string
}

func (o *startupOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.bin, "bin", "", "the atelier binary (go build -o /tmp/atelier ./cmd/atelier)")
	fs.StringVar(&o.config, "config", "", "its --config (default: the binary's own choice)")
	fs.StringVar(&o.db, "db", "", "its --db (default: a new file in a temporary folder)")
}

// listening matches the server's start-up log line with its address.
var listening = regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)

// runStartup starts the binary on a free loopback port, measures the time
// until GET /healthz answers 200 and its resident memory then, and stops it
// with SIGTERM.
func runStartup(ctx context.Context, o startupOptions, w io.Writer) error {
	if o.bin == "" {
		return fmt.Errorf("startup: --bin is required: %w", errUsage)
	}
	dir, err := os.MkdirTemp("", "atelier-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args := []string{"--addr", "127.0.0.1:0", "--db", o.db}
	if o.db == "" {
		args[3] = dir + "/atelier.db"
	}
	if o.config != "" {
		args = append(args, "--config", o.config)
	}
	cmd := exec.CommandContext(ctx, o.bin, args...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("startup: %w", err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-ctx.Done():
		return fmt.Errorf("startup: the server never logged its address: %w", ctx.Err())
	}
	listened := time.Since(t0)
	for {
		res, err := http.Get("http://" + a + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("startup: /healthz never answered 200: %w", ctx.Err())
		}
	}
	healthy := time.Since(t0)
	fmt.Fprintf(w, "startup: listening after %s, /healthz 200 after %s; idle memory %s\n",
		listened.Round(time.Millisecond), healthy.Round(time.Millisecond), readMemory(cmd.Process.Pid))
	return nil
}

// memory is the resident size of a process from /proc/PID/status.
type memory struct{ rss, hwm string }

func (m memory) String() string {
	if m.rss == "" {
		return "unknown"
	}
	return "VmRSS " + m.rss + ", VmHWM " + m.hwm
}

// readMemory reads VmRSS and VmHWM of pid (zero memory when pid is 0 or
// the file cannot be read).
func readMemory(pid int) memory {
	if pid <= 0 {
		return memory{}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}
	}
	var m memory
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(line, ":")
		v = strings.Join(strings.Fields(v), " ")
		switch k {
		case "VmRSS":
			m.rss = v
		case "VmHWM":
			m.hwm = v
		}
	}
	return m
}
