package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a deadline passes: the goroutines
// it waits for block on a channel, so there is no event to wait on.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

const checkerPassword = "correct horse battery staple"

// holdSlots takes every slot of c, as long checks would, and returns
// their release.
func holdSlots(t *testing.T, c *Checker) func() {
	t.Helper()
	var held []func()
	for range cap(c.slots) {
		release, err := c.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, release)
	}
	return func() {
		for _, release := range held {
			release()
		}
	}
}

func TestCheckerBounds(t *testing.T) {
	hash, err := HashPassword(checkerPassword, TestParams)
	if err != nil {
		t.Fatal(err)
	}
	c := NewChecker(TestParams, 2, 3)
	ctx := context.Background()
	release := holdSlots(t, c)

	// Three more checks wait their turn ...
	results := make(chan error, 3)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := c.Verify(ctx, hash, checkerPassword)
			if err == nil && !ok {
				err = errors.New("right password refused")
			}
			results <- err
		}()
	}
	waitFor(t, "three checks wait", func() bool { return c.Stats().Waiting == 3 })
	// ... and any beyond them are turned away at once, whichever kind.
	if _, err := c.Verify(ctx, hash, checkerPassword); !errors.Is(err, ErrBusy) {
		t.Errorf("Verify with slots and waiting room full: %v, want ErrBusy", err)
	}
	if err := c.Dummy(ctx, "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("Dummy with slots and waiting room full: %v, want ErrBusy", err)
	}
	// A hash that does not parse is an error, not a wait.
	if _, err := c.Verify(ctx, "$2a$10$bcrypt", checkerPassword); err == nil || errors.Is(err, ErrBusy) {
		t.Errorf("Verify of a bcrypt hash: %v, want a parse error", err)
	}

	release()
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Errorf("a waiting check: %v", err)
		}
	}
	st := c.Stats()
	if st.Peak != 2 || st.Running != 0 || st.Waiting != 0 || st.Done != 5 {
		t.Errorf("stats %+v, want peak 2, none running or waiting, 5 done", st)
	}
}

func TestCheckerWaiterLeavesWithItsRequest(t *testing.T) {
	c := NewChecker(TestParams, 1, 1)
	release := holdSlots(t, c)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Dummy(ctx, "x") }()
	waitFor(t, "the check waits", func() bool { return c.Stats().Waiting == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Dummy after its request ended: %v, want context.Canceled", err)
	}
	if w := c.Stats().Waiting; w != 0 {
		t.Errorf("%d still waiting after the request ended", w)
	}
}
