//go:build ignore

// smtpsink is a go-smtp server on loopback that accepts every message,
// reads it whole, answers 250 and counts it: the mail server of
// docs/perf/drain.sh's SMTP runs (docs/PERFORMANCE.md, "drain").
//
//	go run docs/perf/smtpsink/main.go -addr 127.0.0.1:18610 -count /tmp/count
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"
)

var n atomic.Int64

type backend struct{}

func (backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{}, nil }

type session struct{}

func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*session) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	n.Add(1)
	return nil
}
func (*session) Reset()        {}
func (*session) Logout() error { return nil }

func main() {
	addr := flag.String("addr", "127.0.0.1:18610", "")
	count := flag.String("count", "", "file to write the count to, every 50 ms")
	flag.Parse()
	s := smtp.NewServer(backend{})
	s.Addr, s.Domain = *addr, "sink.test"
	s.AllowInsecureAuth = true
	s.MaxMessageBytes = 10 << 20
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	go func() {
		for range time.Tick(50 * time.Millisecond) {
			if *count != "" {
				os.WriteFile(*count+".tmp", []byte(fmt.Sprint(n.Load())), 0o644)
				os.Rename(*count+".tmp", *count)
			}
		}
	}()
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		fmt.Println("messages", n.Load())
		os.Exit(0)
	}()
	log.Fatal(s.ListenAndServe())
}
