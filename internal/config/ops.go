package config

import (
	"net"
	"path/filepath"
	"strconv"
	"time"
)

// Backups are the server's scheduled backups of the database. An empty
// Dir turns them off.
type Backups struct {
	// Dir is the folder the backups are written to (created 0700),
	// relative to the working folder. Empty: no scheduled backups.
	Dir string `yaml:"dir"`
	// Every is the time between two backups.
	Every time.Duration `yaml:"every"`
	// Keep is how many backups are kept; older ones are removed.
	Keep int `yaml:"keep"`
}

func defaultBackups() Backups { return Backups{Every: 24 * time.Hour, Keep: 7} }

// Enabled reports whether scheduled backups are on.
func (b Backups) Enabled() bool { return b.Dir != "" }

func (v *validator) backups(d *Database) {
	b := d.Backups
	if b.Every < time.Minute {
		v.add("database.backups.every", "must be at least 1m (got %s)", b.Every)
	}
	v.atLeast("database.backups.keep", b.Keep, 1)
	if b.Dir != "" && d.Path != "" {
		dir, err1 := filepath.Abs(b.Dir)
		db, err2 := filepath.Abs(d.Path)
		if err1 == nil && err2 == nil && dir == db {
			v.add("database.backups.dir", "%q is the database file itself", b.Dir)
		}
	}
}

// opsServer checks the keys of server that are about running it:
// metrics_addr.
func (v *validator) opsServer(s *Server) {
	if s.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(s.MetricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			v.add("server.metrics_addr", "%q is not host:port (e.g. 127.0.0.1:9090)", s.MetricsAddr)
		} else if s.MetricsAddr == s.Addr && n != 0 {
			v.add("server.metrics_addr", "%q is server.addr too: metrics need a listener of their own", s.MetricsAddr)
		}
	}
}
