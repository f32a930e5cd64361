package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA is a certificate authority made by a test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "atelier test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// writeLeaf writes a certificate for atelier.test with serial and a new
// key to certFile and keyFile (each by rename, as renewal tools do).
func (ca *testCA) writeLeaf(t *testing.T, serial int64, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "atelier.test"},
		DNSNames: []string{"atelier.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writeAtomic(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeAtomic(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

func writeAtomic(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// httpsClient reaches the server at addr for any https://atelier.test URL,
// trusting roots, one connection per request (each a new handshake).
func httpsClient(addr string, roots *x509.CertPool) *http.Client {
	return &http.Client{
		Timeout: 90 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: "atelier.test"},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// servedSerial is the serial of the certificate the server presents.
func servedSerial(t *testing.T, c *http.Client) int64 {
	t.Helper()
	resp, err := c.Get("https://atelier.test/healthz")
	if err != nil {
		t.Fatalf("GET over HTTPS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz over HTTPS: %d", resp.StatusCode)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
}

// TestTLSCertFiles: with cert_file and key_file the server speaks HTTPS
// with that certificate, picks up a renewed pair without a restart, keeps
// its certificate when the files turn bad, and redirects plain HTTP.
func TestTLSCertFiles(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	ca.writeLeaf(t, 1001, certFile, keyFile)

	s := newTestServer(t,
		"  public_url: http://127.0.0.1:8080", "  public_url: https://atelier.test",
		"    cert_file: \"\"", "    cert_file: "+certFile,
		"    key_file: \"\"", "    key_file: "+keyFile,
		"    redirect_addr: \"\"", "    redirect_addr: 127.0.0.1:0")
	s.log = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	ready, redirect, done := make(chan string, 1), make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "--addr", "127.0.0.1:0"},
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: s.log,
				Ready: func(a string) { ready <- a }, RedirectReady: func(a string) { redirect <- a }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, s.log)
		}
	})
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended early: %v\n%s", err, s.log)
	}
	c := httpsClient(addr, ca.pool)
	if got := servedSerial(t, c); got != 1001 {
		t.Fatalf("serial %d, want 1001", got)
	}
	// Plain HTTP to the TLS port is not served as HTTP.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the TLS port: %d", resp.StatusCode)
		}
	}

	// A renewal: the new pair is served without a restart.
	ca.writeLeaf(t, 1002, certFile, keyFile)
	waitFor(t, "the renewed certificate", func() bool { return servedSerial(t, c) == 1002 })

	// A broken file is logged and the certificate in use kept.
	writeAtomic(t, certFile, []byte("not a certificate"))
	waitFor(t, "the broken pair to be noticed", func() bool {
		servedSerial(t, c)
		return strings.Contains(s.log.String(), "do not load: keeping the current certificate")
	})
	if got := servedSerial(t, c); got != 1002 {
		t.Errorf("after a broken renewal the server presents serial %d, want 1002 still", got)
	}

	// The redirect listener sends plain HTTP to the public URL over HTTPS.
	raddr := <-redirect
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + raddr + "/staff/bookings/new?date=2026-12-03")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusPermanentRedirect || loc != "https://atelier.test/staff/bookings/new?date=2026-12-03" {
		t.Errorf("redirect: %d %q", resp.StatusCode, loc)
	}
}

// TestTLSBadFilesStopStart: a certificate that does not load stops the
// start with its reason.
func TestTLSBadFilesStopStart(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, []byte("junk"), 0o600)
	os.WriteFile(keyFile, []byte("junk"), 0o600)
	s := newTestServer(t,
		"  public_url: http://127.0.0.1:8080", "  public_url: https://atelier.test",
		"    cert_file: \"\"", "    cert_file: "+certFile,
		"    key_file: \"\"", "    key_file: "+keyFile)
	_, _, err := runMain(t, "", "--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "server.tls") {
		t.Fatalf("start with a bad certificate: %v, want an error naming server.tls", err)
	}
}

// waitFor polls ok until it holds.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond) // polling the server, not hiding a race
	}
}
