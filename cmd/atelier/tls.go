package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/atelier-app/atelier/internal/config"
)

// serverTLS is HTTPS served by atelier itself (server.tls); a nil
// *serverTLS serves plain HTTP.
type serverTLS struct {
	config *tls.Config
	// challenge answers ACME HTTP-01 challenges on the redirect listener
	// (nil with certificate files).
	challenge func(fallback http.Handler) http.Handler
}

// newTLS builds the TLS configuration of server.tls: certificate files
// (loaded now, so a bad pair stops the start with its reason) or ACME.
func newTLS(cfg *config.Config, logger *slog.Logger) (*serverTLS, error) {
	t := cfg.Server.TLS
	if !t.Enabled() {
		return nil, nil
	}
	base := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	if !t.ACME() {
		files := &certFiles{certFile: t.CertFile, keyFile: t.KeyFile, logger: logger}
		if err := files.load(); err != nil {
			return nil, fmt.Errorf("server.tls: %w", err)
		}
		base.GetCertificate = files.getCertificate
		logger.Info("serving HTTPS with certificate files; they are reloaded when they change",
			"cert_file", t.CertFile, "key_file", t.KeyFile)
		return &serverTLS{config: base}, nil
	}

	client := &acme.Client{DirectoryURL: t.ACMEDirectory}
	if client.DirectoryURL == "" {
		client.DirectoryURL = autocert.DefaultACMEDirectory
	}
	if t.ACMECAFile != "" {
		pem, err := os.ReadFile(t.ACMECAFile)
		if err != nil {
			return nil, fmt.Errorf("server.tls.acme_ca_file: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("server.tls.acme_ca_file: %s holds no PEM certificate", t.ACMECAFile)
		}
		client.HTTPClient = &http.Client{
			Timeout:   time.Minute,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
		}
	}
	if err := os.MkdirAll(t.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("server.tls.cache_dir: %w", err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(t.CacheDir),
		HostPolicy: autocert.HostWhitelist(t.Domains...),
		Email:      t.Email,
		Client:     client,
	}
	c := m.TLSConfig() // adds the acme-tls/1 protocol of TLS-ALPN-01
	c.MinVersion = tls.VersionTLS12
	logger.Info("serving HTTPS with certificates from ACME; each is obtained at the first connection for its name and renewed before it expires",
		"domains", t.Domains, "directory", client.DirectoryURL, "cache_dir", t.CacheDir)
	return &serverTLS{config: c, challenge: m.HTTPHandler}, nil
}

// scheme is "https" or "http".
func (s *serverTLS) scheme() string {
	if s == nil {
		return "http"
	}
	return "https"
}

// serve runs srv on ln, with TLS when configured.
func (s *serverTLS) serve(srv *http.Server, ln net.Listener) error {
	if s == nil {
		return srv.Serve(ln)
	}
	srv.TLSConfig = s.config
	return srv.ServeTLS(ln, "", "")
}

// startRedirect starts the plain-HTTP listener of server.tls.redirect_addr:
// every request is sent to the same path and query on the public URL
// (308 keeps the method and body), except ACME HTTP-01 challenges, which
// it answers. The returned stop closes it; with no redirect_addr it does
// nothing.
func (s *serverTLS) startRedirect(cfg *config.Config, logger *slog.Logger, env Env) (stop func(), err error) {
	addr := cfg.Server.TLS.RedirectAddr
	if s == nil || addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on server.tls.redirect_addr %s: %w", addr, err)
	}
	public := cfg.Server.PublicURL
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, public+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
	if s.challenge != nil {
		h = s.challenge(h)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("redirecting plain HTTP to HTTPS", "addr", ln.Addr().String(), "to", public)
	if env.RedirectReady != nil {
		env.RedirectReady(ln.Addr().String())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("redirect listener", "err", err)
		}
	}, nil
}

// certFiles serves a certificate and key from files and reloads them when
// either changes (a renewal by certbot or an operator), checking at most
// once a second, at a TLS handshake. A pair that does not load (a key not
// yet written, a mismatch) is logged and the previous certificate kept.
type certFiles struct {
	certFile, keyFile string
	logger            *slog.Logger

	mu               sync.Mutex
	cert             *tls.Certificate
	certStamp        fileStamp
	keyStamp         fileStamp
	checked          time.Time
	reloads, refused int // for tests
}

// fileStamp tells whether a file changed.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

// load reads the pair; it is the first load (an error stops the start).
func (c *certFiles) load() error {
	cs, err1 := stampOf(c.certFile)
	ks, err2 := stampOf(c.keyFile)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cert, c.certStamp, c.keyStamp, c.checked = &cert, cs, ks, time.Now()
	return nil
}

func (c *certFiles) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.checked) >= time.Second {
		c.checked = now
		c.reloadIfChanged()
	}
	return c.cert, nil
}

// reloadIfChanged loads the pair again when a file changed; c.mu is held.
func (c *certFiles) reloadIfChanged() {
	cs, err1 := stampOf(c.certFile)
	ks, err2 := stampOf(c.keyFile)
	if err := errors.Join(err1, err2); err != nil {
		if cs != c.certStamp || ks != c.keyStamp {
			c.logger.Warn("TLS certificate files: keeping the current certificate", "err", err)
			c.certStamp, c.keyStamp = cs, ks
		}
		return
	}
	if cs == c.certStamp && ks == c.keyStamp {
		return
	}
	// Remember what was tried, so a broken pair is tried again only when a
	// file changes again (the other half of a renewal being written).
	c.certStamp, c.keyStamp = cs, ks
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		c.refused++
		c.logger.Warn("TLS certificate files changed but do not load: keeping the current certificate", "err", err)
		return
	}
	c.cert = &cert
	c.reloads++
	if leaf := cert.Leaf; leaf != nil {
		c.logger.Info("TLS certificate reloaded", "subject", leaf.Subject.CommonName, "not_after", leaf.NotAfter)
	}
}
