// Package pgtest starts a real PostgreSQL server for the tests of a
// package: one server per test binary run (TestMain calls Main), in a
// temporary data directory, listening only on 127.0.0.1 and on a unix
// socket inside that directory, stopped and removed when the tests end.
// Each test that needs a database asks for a fresh, empty one (Database).
//
// The binaries are PostgreSQL 15's from Debian (/usr/lib/postgresql/15/bin,
// or ATELIER_POSTGRES_BIN). Without them the tests that need a database are
// skipped, unless ATELIER_REQUIRE_POSTGRES=1 is set (CI), when they fail.
//
// PostgreSQL refuses to run as root: run as root (a container, CI), the
// server's processes are started as the "postgres" system user that
// Debian's postgresql-common package creates, and the data directory is
// given to that user.
//
// The server runs without fsync and synchronous commit: a test database
// that survives a power cut is not worth the time; every other setting is
// PostgreSQL's default, so locking and isolation behave as in production.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultBin is where Debian's postgresql-15 package puts the server.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// RequireEnv, set to 1, turns a missing PostgreSQL into a failure.
const RequireEnv = "ATELIER_REQUIRE_POSTGRES"

// server is the running server of this test binary, or nil.
var server *Server

// unavailable says why there is no server (skip or fail, see Database).
var unavailable error

// Main starts the server, runs the tests and stops it; call it from
// TestMain as os.Exit(pgtest.Main(m)). A failure to start with the
// binaries present fails the run; binaries absent only mark the server
// unavailable (see Database).
func Main(m *testing.M) int {
	srv, err := Start(Bin())
	switch {
	case errors.Is(err, errNoBinaries):
		unavailable = err
	case err != nil:
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	default:
		server = srv
	}
	code := m.Run()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Bin returns the directory of the PostgreSQL binaries.
func Bin() string {
	if d := os.Getenv("ATELIER_POSTGRES_BIN"); d != "" {
		return d
	}
	return DefaultBin
}

// Required reports whether a missing PostgreSQL fails the tests.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

var dbSeq atomic.Int64

// Database creates an empty database on the package's server and returns
// its connection URL; it is dropped when the test ends. Without a server
// the test is skipped, or fails under ATELIER_REQUIRE_POSTGRES=1.
func Database(t testing.TB) string {
	t.Helper()
	if server == nil {
		why := unavailable
		if why == nil {
			why = errors.New("pgtest.Main was not called from TestMain")
		}
		if Required() {
			t.Fatalf("PostgreSQL is required (%s=1): %v", RequireEnv, why)
		}
		t.Skipf("no PostgreSQL: %v (set %s=1 to fail instead)", why, RequireEnv)
	}
	name := fmt.Sprintf("atelier_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := server.exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := server.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return server.URL(name)
}

// Server is a PostgreSQL server in a temporary directory.
type Server struct {
	bin  string
	dir  string // holds data/, the socket and the log
	port int
	cred *syscall.Credential // nil: run as ourselves
}

var errNoBinaries = errors.New("PostgreSQL binaries not found")

// Start initialises a data directory in a new temporary directory and
// starts a server on it, on 127.0.0.1 at a free port.
func Start(bin string) (*Server, error) {
	for _, tool := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errNoBinaries, filepath.Join(bin, tool), err)
		}
	}
	dir, err := os.MkdirTemp("", "atelier-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		if s.cred, err = postgresUser(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := s.run("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A free port can be taken by another process before the server binds
	// it: try a few.
	for try := 0; ; try++ {
		if s.port, err = freePort(); err != nil {
			break
		}
		if err = s.start(); err == nil {
			return s, nil
		}
		if try == 4 {
			break
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

// postgresUser returns the credential of the "postgres" system user.
func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres system user "+
			"(Debian's postgresql-common creates it): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c max_connections=300", s.port, s.dir)
	return s.run("pg_ctl", "start", "-w", "-t", "60", "-D", s.data(), "-l", filepath.Join(s.dir, "log"), "-o", opts)
}

// run runs a PostgreSQL tool as the server's user; its output is in the
// error.
func (s *Server) run(tool string, args ...string) error {
	cmd := exec.Command(filepath.Join(s.bin, tool), args...)
	cmd.Dir = s.dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
		cmd.Env = append(os.Environ(), "HOME="+s.dir)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("%s: %v\n%s\n%s", tool, err, out, log)
	}
	return nil
}

// URL returns the connection URL of database name over TCP.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// exec runs one statement in the maintenance database.
func (s *Server) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Stop stops the server at once (its databases are thrown away) and
// removes its directory.
func (s *Server) Stop() error {
	err := s.run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", s.data())
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}
