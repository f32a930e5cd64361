package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
// metrics_addr and tls.
func (v *validator) opsServer(s *Server) {
	v.tls(s)
	if s.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(s.MetricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			v.add("server.metrics_addr", "%q is not host:port (e.g. 127.0.0.1:9090)", s.MetricsAddr)
		} else if s.MetricsAddr == s.Addr && n != 0 {
			v.add("server.metrics_addr", "%q is server.addr too: metrics need a listener of their own", s.MetricsAddr)
		}
	}
}

// TLS configures HTTPS served by atelier itself: either a certificate and
// key in files (CertFile, KeyFile), reloaded when they change, or
// certificates from an ACME CA such as Let's Encrypt for Domains.
type TLS struct {
	CertFile string `yaml:"cert_file"` // PEM certificate chain
	KeyFile  string `yaml:"key_file"`  // PEM private key

	// Domains are the host names to get certificates for by ACME
	// (TLS-ALPN-01 on addr, or HTTP-01 on redirect_addr).
	Domains []string `yaml:"domains"`
	// Email is the contact address given to the CA (expiry notices).
	Email string `yaml:"email"`
	// CacheDir keeps the ACME account key and certificates across
	// restarts (created 0700); relative to the working folder.
	CacheDir string `yaml:"cache_dir"`
	// ACMEDirectory is the CA's directory URL; empty: Let's Encrypt.
	ACMEDirectory string `yaml:"acme_directory"`
	// ACMECAFile holds PEM roots to trust for the CA's own HTTPS (a
	// private CA such as step-ca or Pebble); empty: the system's roots.
	ACMECAFile string `yaml:"acme_ca_file"`

	// RedirectAddr, when set (e.g. ":80"), is a plain-HTTP listener that
	// redirects to the public URL over HTTPS and, with ACME, answers the
	// CA's HTTP-01 challenges.
	RedirectAddr string `yaml:"redirect_addr"`
}

// Enabled reports whether atelier serves HTTPS itself.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" || len(t.Domains) > 0 }

// ACME reports whether certificates come from an ACME CA.
func (t TLS) ACME() bool { return len(t.Domains) > 0 }

// hostnamePattern is a DNS name with at least two labels, as a public
// certificate needs.
var hostnamePattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// tls checks server.tls: certificate files or ACME domains, not both, and
// what each needs; with TLS on, the public URL is https.
func (v *validator) tls(s *Server) {
	t := &s.TLS
	if !t.Enabled() {
		if t.RedirectAddr != "" {
			v.add("server.tls.redirect_addr", "needs server.tls (cert_file and key_file, or domains)")
		}
		return
	}
	v.tlsSource(t)
	if t.ACME() {
		v.acme(t)
	} else if t.Email != "" || t.ACMEDirectory != "" || t.ACMECAFile != "" {
		v.add("server.tls.domains", "email, acme_directory and acme_ca_file are for ACME: list the domains")
	}
	if t.RedirectAddr != "" {
		if _, port, err := net.SplitHostPort(t.RedirectAddr); err != nil || port == "" {
			v.add("server.tls.redirect_addr", "%q is not host:port (e.g. :80)", t.RedirectAddr)
		} else if t.RedirectAddr == s.Addr {
			v.add("server.tls.redirect_addr", "%q is server.addr too", t.RedirectAddr)
		}
	}
	if !strings.HasPrefix(s.PublicURL, "https://") {
		v.add("server.public_url", "%q must be https:// when server.tls is on", s.PublicURL)
	}
}

// tlsSource checks where the certificate comes from: both files, or
// domains (normalised to lower case) for ACME, never both.
func (v *validator) tlsSource(t *TLS) {
	files := t.CertFile != "" || t.KeyFile != ""
	switch {
	case files && t.ACME():
		v.add("server.tls.domains", "give either cert_file and key_file, or domains for ACME, not both")
	case files && t.CertFile == "":
		v.add("server.tls.cert_file", "is required with key_file")
	case files && t.KeyFile == "":
		v.add("server.tls.key_file", "is required with cert_file")
	}
	for i, d := range t.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		t.Domains[i] = d
		if !hostnamePattern.MatchString(d) {
			v.add(fmt.Sprintf("server.tls.domains[%d]", i), "%q is not a host name such as atelier.example.com (no scheme, port or wildcard)", d)
		}
	}
}

// acme fills the ACME cache folder and checks the account address and
// the directory URL.
func (v *validator) acme(t *TLS) {
	if t.CacheDir == "" {
		t.CacheDir = "acme-cache"
	}
	if t.Email != "" {
		v.address("server.tls.email", t.Email)
	}
	if t.ACMEDirectory != "" {
		if u, err := url.Parse(t.ACMEDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			v.add("server.tls.acme_directory", "%q is not an https URL", t.ACMEDirectory)
		}
	}
}
