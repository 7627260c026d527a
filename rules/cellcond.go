package rules

import (
	"fmt"
	"strconv"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	h3 "github.com/uber/h3-go/v4"
)

// inCell is the expression function in_cell(cell, "87309a2a5ffffff"): true
// when the event's resolution-9 cell lies in the named H3 cell, at that
// cell's own resolution (5 to 9). A rule can so hold for a street block
// (resolution 9), a neighbourhood (7) or a district (5) without listing
// every cell in it.
var inCell = expr.Function("in_cell", func(params ...any) (any, error) {
	c, _ := params[0].(uint64)
	s, _ := params[1].(string)
	want, err := strconv.ParseUint(s, 16, 64)
	if err != nil || c == 0 {
		return false, nil
	}
	res := geo.Resolution(cityops.Cell(want))
	if geo.Resolution(cityops.Cell(c)) < res {
		return false, nil
	}
	return geo.Parent(cityops.Cell(c), res) == cityops.Cell(want), nil
}, new(func(uint64, string) bool))

// checkCells checks that every in_cell call of prog names its cell with a
// string literal that is a valid H3 cell of resolution 5 to 9, so that a
// misspelt cell fails at load instead of never matching.
func checkCells(prog *vm.Program) error {
	var err error
	ast.Find(prog.Node(), func(n ast.Node) bool {
		call, ok := n.(*ast.CallNode)
		if !ok || err != nil {
			return false
		}
		if id, ok := call.Callee.(*ast.IdentifierNode); !ok || id.Value != "in_cell" || len(call.Arguments) != 2 {
			return false
		}
		lit, ok := call.Arguments[1].(*ast.StringNode)
		if !ok {
			err = fmt.Errorf("in_cell: the cell must be a quoted H3 index")
			return true
		}
		v, perr := strconv.ParseUint(lit.Value, 16, 64)
		c := h3.Cell(v)
		if perr != nil || !c.IsValid() {
			err = fmt.Errorf("in_cell: %q is not an H3 cell", lit.Value)
			return true
		}
		if r := c.Resolution(); r < cityops.ResCity || r > cityops.ResIncident {
			err = fmt.Errorf("in_cell: %q has resolution %d; events carry cells of resolution %d to %d", lit.Value, r, cityops.ResCity, cityops.ResIncident)
			return true
		}
		return false
	})
	return err
}
