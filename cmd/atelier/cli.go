package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/buildinfo"
	"github.com/atelier-app/atelier/internal/config"
)

// globalFlags are accepted before the sub-command and by every sub-command.
type globalFlags struct {
	config string
	db     string
	addr   string
}

// register adds the global flags to fs. Every command accepts all three,
// before or after its name, so that "atelier --addr X user list" and
// "atelier user list --addr X" mean the same; withAddr tells whether the
// command listens (serve), else --addr is accepted and has no effect.
func (g *globalFlags) register(fs *flag.FlagSet, withAddr bool) {
	fs.StringVar(&g.config, "config", g.config, "the YAML configuration `file` (default: ./config.yaml if present, else the embedded demo)")
	fs.StringVar(&g.db, "db", g.db, "the SQLite database `file` (overrides database.path)")
	addrHelp := "listen address `host:port` (overrides server.addr)"
	if !withAddr {
		addrHelp = "listen address `host:port` of serve; accepted here for scripts that pass it to every command, and ignored"
	}
	fs.StringVar(&g.addr, "addr", g.addr, addrHelp)
}

const usage = `Usage:
  atelier [serve] [--config PATH] [--db PATH] [--addr HOST:PORT]
  atelier user add --email E --name N --role admin|artisan [--artisan ID] --password-stdin
  atelier user list | passwd --email E --password-stdin | disable --email E | enable --email E
  atelier backup --to FILE [--force]
  atelier db copy --to URL
  atelier version (or --version)

Flags --config and --db work with every sub-command, before or after its
name; so does --addr, which only serve uses.
`

// Main runs the command line args and returns when the command is done (for
// serve: after a graceful shutdown when ctx is cancelled).
func Main(ctx context.Context, args []string, env Env) error {
	var g globalFlags
	top := flag.NewFlagSet("atelier", flag.ContinueOnError)
	top.SetOutput(env.Stderr)
	top.Usage = func() { fmt.Fprint(env.Stderr, usage) }
	g.register(top, true)
	showVersion := top.Bool("version", false, "print the version and exit")
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	rest := top.Args()
	if *showVersion {
		rest = []string{"version"}
	}
	cmd := "serve"
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		fs := flag.NewFlagSet("atelier serve", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		g.register(fs, true)
		if err := fs.Parse(rest); err != nil {
			return usageErr(err)
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(env.Stderr, "atelier serve: unexpected argument %q\n%s", fs.Arg(0), usage)
			return errUsage
		}
		return serve(ctx, g, env)
	case "user":
		return userCommand(ctx, g, rest, env)
	case "backup":
		return backupCommand(ctx, g, rest, env)
	case "db":
		return dbCommand(ctx, g, rest, env) // dbcmd.go
	case "version":
		if len(rest) > 0 {
			fmt.Fprintf(env.Stderr, "atelier version: unexpected argument %q\n%s", rest[0], usage)
			return errUsage
		}
		fmt.Fprintln(env.Stdout, buildinfo.Read())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	default:
		fmt.Fprintf(env.Stderr, "atelier: unknown command %q\n%s", cmd, usage)
		return errUsage
	}
}

func usageErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return errUsage
}

// loadConfig reads the configuration named by --config, else ./config.yaml
// when it exists, else the embedded demo. It applies --db and --addr.
func loadConfig(g globalFlags) (*config.Config, string, error) {
	var (
		cfg    *config.Config
		source string
		err    error
	)
	switch {
	case g.config != "":
		source = g.config
		if _, statErr := os.Stat(g.config); errors.Is(statErr, fs.ErrNotExist) {
			return nil, source, &missingFileError{flag: "--config", path: g.config, err: statErr}
		}
		cfg, err = config.Load(g.config)
	default:
		if _, statErr := os.Stat("config.yaml"); statErr == nil {
			source = "config.yaml"
			cfg, err = config.Load("config.yaml")
		} else {
			source = "embedded config.example.yaml (demo)"
			cfg, err = config.Parse(atelier.ExampleConfig)
		}
	}
	if err != nil {
		return nil, source, err
	}
	if g.db != "" {
		cfg.Database.Path = g.db
	}
	if g.addr != "" {
		moveAddr(cfg, g.addr)
	}
	return cfg, source, nil
}

// missingFileError is a file named by a flag that does not exist; it reads
// "--config: nope.yaml: no such file".
type missingFileError struct {
	flag, path string
	err        error
}

func (e *missingFileError) Error() string { return e.flag + ": " + e.path + ": no such file" }
func (e *missingFileError) Unwrap() error { return e.err }

// moveAddr sets the listen address to addr. A public URL that only mirrors
// the old listen address ("http://" + server.addr, as in the demo) moves
// with it, so that links in responses, e-mails and invites reach this
// server; a public URL set to anything else (a domain, a proxy) is kept.
func moveAddr(cfg *config.Config, addr string) {
	if cfg.Server.PublicURL == "http://"+cfg.Server.Addr {
		cfg.Server.PublicURL = "http://" + addr
	}
	cfg.Server.Addr = addr
}

// readPassword reads one line from r (a password from standard input).
func readPassword(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if strings.ContainsAny(s, "\r\n") {
		return "", errors.New("the password on standard input must be one line")
	}
	return s, nil
}
