package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// pebbleCA is Let's Encrypt's test CA, Pebble, run in-process on
// loopback: its ACME directory over HTTPS, and a DNS server of the test
// that resolves every name to 127.0.0.1 for Pebble's validation.
type pebbleCA struct {
	dirURL  string
	tlsRoot string // PEM file: the root of Pebble's own HTTPS certificate
	dnsAddr string
	handler atomic.Pointer[http.Handler]
	ca      *ca.CAImpl
}

func startPebble(t *testing.T) *pebbleCA {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1") // validate at once, not after up to 15s
	p := &pebbleCA{}
	// The directory listens first: the configuration names it before the
	// CA exists (the CA needs the port the atelier server gets).
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := p.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "pebble is not started yet", http.StatusServiceUnavailable)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p.dirURL = srv.URL + "/dir"
	p.tlsRoot = filepath.Join(t.TempDir(), "pebble-https.pem")
	if err := os.WriteFile(p.tlsRoot, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	// DNS over TCP (as Pebble's VA asks): A 127.0.0.1 for every name, no AAAA.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dnsSrv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.ParseIP("127.0.0.1"),
				})
			}
		}
		w.WriteMsg(m)
	})}
	go dnsSrv.ActivateAndServe()
	t.Cleanup(func() { dnsSrv.Shutdown() })
	p.dnsAddr = ln.Addr().String()
	return p
}

// start runs the CA, validating TLS-ALPN-01 challenges on tlsPort.
func (p *pebbleCA) start(t *testing.T, tlsPort int) {
	t.Helper()
	logger := log.New(io.Discard, "pebble ", 0)
	if testing.Verbose() {
		logger = log.New(os.Stderr, "pebble ", log.Lmicroseconds)
	}
	store := db.NewMemoryStore()
	p.ca = ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	v := va.New(logger, 0, tlsPort, false, p.dnsAddr, store)
	w := wfe.New(logger, store, v, p.ca, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	var h http.Handler = w.Handler()
	p.handler.Store(&h)
}

// roots is the pool of Pebble's issuing root.
func (p *pebbleCA) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca.GetRootCert(0).Cert)
	return pool
}

// TestACMEWithPebble: with server.tls.domains the server gets its
// certificate from an ACME CA (Pebble) at the first connection, through
// the TLS-ALPN-01 challenge on its own port, serves HTTPS with it, and
// keeps it in the cache folder for the next start.
func TestACMEWithPebble(t *testing.T) {
	p := startPebble(t)
	cache := filepath.Join(t.TempDir(), "acme")
	s := newTestServer(t,
		"  public_url: http://127.0.0.1:8080", "  public_url: https://atelier.test",
		"    domains: []", "    domains: [atelier.test]",
		"    email: \"\"", "    email: ops@atelier.test",
		"    cache_dir: acme-cache", "    cache_dir: "+cache,
		"    acme_directory: \"\"", "    acme_directory: "+p.dirURL,
		"    acme_ca_file: \"\"", "    acme_ca_file: "+p.tlsRoot)
	s.log = &syncBuffer{}
	rs := startServer(t, s.log, "--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "--addr", "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(rs.addr)
	var portNum int
	for _, c := range port {
		portNum = portNum*10 + int(c-'0')
	}
	p.start(t, portNum)

	c := httpsClient(rs.addr, p.roots())
	resp, err := c.Get("https://atelier.test/healthz")
	if err != nil {
		t.Fatalf("first HTTPS request (the certificate is obtained now): %v\n%s", err, s.log)
	}
	resp.Body.Close()
	leaf := resp.TLS.PeerCertificates[0]
	if resp.StatusCode != http.StatusOK || len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "atelier.test" {
		t.Fatalf("HTTPS: %d, certificate for %v", resp.StatusCode, leaf.DNSNames)
	}
	if !strings.Contains(leaf.Issuer.CommonName, "Pebble") {
		t.Errorf("certificate issued by %q, want Pebble", leaf.Issuer.CommonName)
	}
	// A name not configured gets no certificate.
	other := httpsClient(rs.addr, p.roots())
	other.Transport.(*http.Transport).TLSClientConfig.ServerName = "elsewhere.test"
	if resp, err := other.Get("https://elsewhere.test/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a certificate was served for a name not in server.tls.domains")
	}

	// The certificate is kept: a restart serves it without asking the CA.
	if err := rs.stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(cache, "atelier.test")); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("cached certificate: %v %v, want a private file", fi, err)
	}
	var down http.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "the CA is down", http.StatusServiceUnavailable)
	})
	p.handler.Store(&down)
	rs = startServer(t, s.log, "--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "--addr", "127.0.0.1:0")
	c = httpsClient(rs.addr, p.roots())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://atelier.test/healthz", nil)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatalf("after a restart, with the CA down: %v", err)
	}
	resp.Body.Close()
	if got := resp.TLS.PeerCertificates[0].SerialNumber; got.Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("after a restart the server presents serial %s, want the cached %s", got, leaf.SerialNumber)
	}
}
