package main

import (
	"flag"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// registerPublicMinCount adds --public-min-count to the roles that serve
// the live map.
func registerPublicMinCount(fs *flag.FlagSet, c *role.Config) {
	settingVar(fs, c, "web.public_min_count",
		"the public live map's k: cells with fewer incidents are not shown to clients without a token (env CITYOPS_PUBLIC_MIN_COUNT)")
}
