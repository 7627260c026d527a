package tasks

import (
	"testing"

	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/rules"
)

// demoCity returns the demo city's pack and deadline policy, the city the
// package's tests run the service on.
func demoCity(t testing.TB) (*rules.Pack, *sla.Policy) {
	t.Helper()
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	policy, err := sla.Load(demo.City(), pack.Location, pack.Categories)
	if err != nil {
		t.Fatal(err)
	}
	return pack, policy
}

// DemoCity is demoCity for the package's external tests.
var DemoCity = demoCity
