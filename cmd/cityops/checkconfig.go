package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cityops/cityops/cmd/cityops/role"
	"go.yaml.in/yaml/v3"
)

// runCheckConfig loads FILE as a role would, with the CITYOPS_* environment
// applied, and prints the effective config, or the errors (exit 1). The
// secrets are printed as "(set)", never their values.
func runCheckConfig(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || isHelp(args[0]) {
		fmt.Fprint(stderr, checkConfigUsage)
		if len(args) == 1 {
			return flag.ErrHelp
		}
		return usageErrorf("want one config file, got %d arguments", len(args))
	}
	c, _, err := loadConfig(args[0], os.Getenv)
	if err != nil {
		return err
	}
	redactSecrets(&c)
	b, err := yaml.Marshal(&c)
	if err != nil {
		return fmt.Errorf("printing the config: %w", err)
	}
	fmt.Fprintf(stdout, "# effective config of %s (defaults, then the file, then CITYOPS_* variables)\n%s", args[0], b)
	return nil
}

const checkConfigUsage = `usage: cityops check-config FILE
  Load the YAML config FILE as a role would: the defaults, then the file, then
  the CITYOPS_* environment variables. Print the effective config, with each
  secret that is set shown as "(set)", or every error in the file (exit 1).
  See deploy/cityops.example.yml for every setting.

`

// redactSecrets replaces the value of every secret that is set, and the
// key of every intake key (its name and limits are shown).
func redactSecrets(c *role.Config) {
	for i, spec := range c.Intake.Keys {
		name, rest, _ := strings.Cut(spec, "=")
		_, opts, hasOpts := strings.Cut(rest, ";")
		c.Intake.Keys[i] = name + "=(set)"
		if hasOpts {
			c.Intake.Keys[i] += ";" + opts
		}
	}
	for _, s := range settings {
		for _, sec := range secrets {
			if s.key == sec.key && s.get(c) != "" {
				_ = s.set(c, "(set)")
			}
		}
	}
}
