package main

import (
	"flag"
)

// registerPublicMinCount adds --public-min-count to the roles that serve
// the live map.
func registerPublicMinCount(fs *flag.FlagSet, c *config) {
	settingVar(fs, c, "web.public_min_count",
		"the public live map's k: cells with fewer incidents are not shown to clients without a token (env CITYOPS_PUBLIC_MIN_COUNT)")
}
