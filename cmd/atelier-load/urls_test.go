package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
)

func TestURLFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"Default", nil, []string{"http://127.0.0.1:8080"}},
		{"One", []string{"--url", "http://127.0.0.1:9000/"}, []string{"http://127.0.0.1:9000"}},
		{"Repeated", []string{"--url", "http://127.0.0.1:9000", "--url", "http://127.0.0.1:9001"}, []string{"http://127.0.0.1:9000", "http://127.0.0.1:9001"}},
		{"Commas", []string{"--url", "http://127.0.0.1:9000, http://127.0.0.1:9001,http://[::1]:9002"}, []string{"http://127.0.0.1:9000", "http://127.0.0.1:9001", "http://[::1]:9002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var c common
			c.register(fs, 0)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.urls.list, tt.want) {
				t.Errorf("urls %q, want %q", c.urls.list, tt.want)
			}
		})
	}
	// Every URL must be loopback, not only the first.
	c := common{urls: urlList{list: []string{"http://127.0.0.1:9000", "http://10.0.0.5:9001"}}}
	if err := c.check(); err == nil {
		t.Error("a non-loopback second --url was accepted")
	}
}

// TestClientSpreads: with three servers, requests go to each in turn.
func TestClientSpreads(t *testing.T) {
	var hits [3]atomic.Int64
	var bases []string
	for i := range hits {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			w.Write([]byte("{}"))
		}))
		t.Cleanup(s.Close)
		bases = append(bases, s.URL)
	}
	cl := newClient(4, bases...)
	for range 30 {
		if _, err := cl.do(context.Background(), http.MethodGet, "/healthz", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range hits {
		if got := hits[i].Load(); got != 10 {
			t.Errorf("server %d got %d of 30 requests, want 10", i, got)
		}
	}
}
