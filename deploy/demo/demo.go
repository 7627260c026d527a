// Package demo ships 示范市 Demo City, a small invented city pack (three
// districts, nine streets and towns, ten departments, fourteen categories
// with national codes, thirty sensors and the rules that classify them), so
// that cityops runs and can be tried without any outside data.
package demo

import (
	"embed"
	"io/fs"
)

//go:embed city
var files embed.FS

// City returns the demo city pack as a file system rooted at its pack.yaml.
func City() fs.FS {
	sub, err := fs.Sub(files, "city")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}
