// Package ui holds the built pages of the web server: the live map, the
// department inbox and the planner page. Their sources are in src/ (plain
// JavaScript modules using MapLibre GL JS and deck.gl from npm); build.sh
// bundles them with esbuild into dist/, which is committed and embedded here,
// so building cityops needs no npm and the pages load nothing from the
// network but the server they come from.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist returns the built files, by their names in dist/ (a flat directory).
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path and embedded above
	}
	return sub
}
