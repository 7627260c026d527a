package main

import (
	"flag"

	"github.com/cityops/cityops/web"
)

// registerPublicMinCount adds --public-min-count to the roles that serve
// the live map.
func registerPublicMinCount(fs *flag.FlagSet, o *options) {
	fs.IntVar(&o.publicMinCount, "public-min-count", web.DefaultPublicMinCount,
		"the public live map's k: cells with fewer incidents are not shown to clients without a token (env CITYOPS_PUBLIC_MIN_COUNT)")
}
