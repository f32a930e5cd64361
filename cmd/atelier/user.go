package main

import (
	"context"
	"errors"
)

func userCommand(ctx context.Context, g globalFlags, args []string, env Env) error {
	return errors.New("staff accounts are not available yet")
}
