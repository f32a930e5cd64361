package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/config"
)

func TestBackupsConfig(t *testing.T) {
	c := MustParse(t, minimal)
	if got, want := c.Database.Backups, (config.Backups{Every: 24 * time.Hour, Keep: 7}); got != want || got.Enabled() {
		t.Errorf("default backups %+v (enabled %v), want %+v, off", got, got.Enabled(), want)
	}
	c = MustParse(t, minimal+"database: {backups: {dir: /var/backups/atelier, every: 6h, keep: 28}}\n")
	if got, want := c.Database.Backups, (config.Backups{Dir: "/var/backups/atelier", Every: 6 * time.Hour, Keep: 28}); got != want || !got.Enabled() {
		t.Errorf("backups %+v, want %+v, on", got, want)
	}

	tests := []struct {
		name, extra, want string
	}{
		{"TooOften", "database: {backups: {dir: b, every: 30s}}\n", "database.backups.every: must be at least 1m (got 30s)"},
		{"KeepNone", "database: {backups: {dir: b, keep: 0}}\n", "database.backups.keep: must be at least 1 (got 0)"},
		{"IntoTheDatabase", "database: {path: a.db, backups: {dir: a.db}}\n", `database.backups.dir: "a.db" is the database file itself`},
		{"UnknownKey", "database: {backups: {folder: b}}\n", "database.backups.folder: unknown key (allowed here: dir, every, keep)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestMetricsAddr(t *testing.T) {
	if c := MustParse(t, minimal); c.Server.MetricsAddr != "" {
		t.Errorf("metrics are on by default: %q", c.Server.MetricsAddr)
	}
	if c := MustParse(t, minimal+"server: {metrics_addr: \"127.0.0.1:9090\"}\n"); c.Server.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("metrics_addr %q", c.Server.MetricsAddr)
	}
	for _, tt := range []struct{ name, extra, want string }{
		{"NoPort", "server: {metrics_addr: localhost}\n", `server.metrics_addr: "localhost" is not host:port`},
		{"SameAsAddr", "server: {addr: \"127.0.0.1:8080\", metrics_addr: \"127.0.0.1:8080\"}\n", "metrics need a listener of their own"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestTLSConfig(t *testing.T) {
	if c := MustParse(t, minimal); c.Server.TLS.Enabled() {
		t.Error("TLS is on by default")
	}
	c := MustParse(t, minimal+"server: {public_url: \"https://atelier.example.com\", tls: {domains: [Atelier.Example.com], email: ops@example.com}}\n")
	if tl := c.Server.TLS; !tl.ACME() || tl.Domains[0] != "atelier.example.com" || tl.CacheDir != "acme-cache" {
		t.Errorf("ACME config %+v", tl)
	}
	c = MustParse(t, minimal+"server: {public_url: \"https://a.example.com\", tls: {cert_file: c.pem, key_file: k.pem, redirect_addr: \":80\"}}\n")
	if tl := c.Server.TLS; !tl.Enabled() || tl.ACME() || tl.RedirectAddr != ":80" {
		t.Errorf("files config %+v", tl)
	}
	const https = "server: {public_url: \"https://a.example.com\", "
	for _, tt := range []struct{ name, extra, want string }{
		{"Both", https + "tls: {cert_file: c.pem, key_file: k.pem, domains: [a.example.com]}}\n", "give either cert_file and key_file, or domains"},
		{"NoKey", https + "tls: {cert_file: c.pem}}\n", "server.tls.key_file: is required with cert_file"},
		{"NoCert", https + "tls: {key_file: k.pem}}\n", "server.tls.cert_file: is required with key_file"},
		{"Wildcard", https + "tls: {domains: [\"*.example.com\"]}}\n", `server.tls.domains[0]: "*.example.com" is not a host name`},
		{"WithPort", https + "tls: {domains: [\"a.example.com:443\"]}}\n", "is not a host name"},
		{"OneLabel", https + "tls: {domains: [localhost]}}\n", "is not a host name"},
		{"BadEmail", https + "tls: {domains: [a.example.com], email: nope}}\n", `server.tls.email: "nope" is not an e-mail address`},
		{"HTTPDirectory", https + "tls: {domains: [a.example.com], acme_directory: \"http://ca.example.com/dir\"}}\n", "is not an https URL"},
		{"ACMEKeysWithFiles", https + "tls: {cert_file: c.pem, key_file: k.pem, email: ops@example.com}}\n", "are for ACME"},
		{"RedirectWithoutTLS", "server: {tls: {redirect_addr: \":80\"}}\n", "server.tls.redirect_addr: needs server.tls"},
		{"RedirectNotAddr", https + "tls: {domains: [a.example.com], redirect_addr: \"80\"}}\n", `server.tls.redirect_addr: "80" is not host:port`},
		{"HTTPPublicURL", "server: {public_url: \"http://a.example.com\", tls: {domains: [a.example.com]}}\n", "server.public_url: \"http://a.example.com\" must be https:// when server.tls is on"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestExampleDocumentsOps: the demo file spells out every operations key,
// with the values of the defaults (off).
func TestExampleDocumentsOps(t *testing.T) {
	var root yaml.Node
	if err := yaml.Unmarshal(atelier.ExampleConfig, &root); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"server.metrics_addr", "database.backups.dir", "database.backups.every", "database.backups.keep",
		"server.tls.cert_file", "server.tls.key_file", "server.tls.domains", "server.tls.email", "server.tls.cache_dir",
		"server.tls.acme_directory", "server.tls.acme_ca_file", "server.tls.redirect_addr",
	} {
		if lookup(root.Content[0], strings.Split(path, ".")) == nil {
			t.Errorf("%s is missing from config.example.yaml", path)
		}
	}
	c, err := config.Parse(atelier.ExampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.MetricsAddr != "" || c.Server.TLS.Enabled() || c.Database.Backups.Enabled() {
		t.Errorf("the demo turns on metrics %q, TLS %v or backups %v", c.Server.MetricsAddr, c.Server.TLS.Enabled(), c.Database.Backups.Enabled())
	}
}
