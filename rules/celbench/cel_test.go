package celbench

import (
	"fmt"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"
	"github.com/cityops/cityops/rules"
)

// CELEnv declares the fields of rules.Input, under their expression names.
func CELEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("source", cel.StringType), cel.Variable("type", cel.StringType), cel.Variable("text", cel.StringType),
		cel.Variable("value", cel.DoubleType), cel.Variable("has_value", cel.BoolType), cel.Variable("unit", cel.StringType),
		cel.Variable("device", cel.StringType), cel.Variable("area", cel.StringType), cel.Variable("district", cel.StringType),
		cel.Variable("hour", cel.IntType), cel.Variable("weekday", cel.IntType), cel.Variable("cell", cel.UintType),
	)
}

// CompileCEL compiles a boolean condition to an optimised program.
func CompileCEL(env *cel.Env, src string) (cel.Program, error) {
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("compiling %q: %w", src, iss.Err())
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("compiling %q: not a condition but a %v", src, ast.OutputType())
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("planning %q: %w", src, err)
	}
	return prg, nil
}

// Activation lets a CEL program read a rules.Input directly, without a map
// per event: the fairest setting for CEL.
type Activation struct{ In *rules.Input }

var _ interpreter.Activation = (*Activation)(nil)

// ResolveName returns the field a name stands for.
func (a *Activation) ResolveName(name string) (any, bool) {
	in := a.In
	switch name {
	case "source":
		return in.Source, true
	case "type":
		return in.Type, true
	case "text":
		return in.Text, true
	case "value":
		return in.Value, true
	case "has_value":
		return in.HasValue, true
	case "unit":
		return in.Unit, true
	case "device":
		return in.Device, true
	case "area":
		return in.Area, true
	case "district":
		return in.District, true
	case "hour":
		return int64(in.Hour), true
	case "weekday":
		return int64(in.Weekday), true
	case "cell":
		return in.Cell, true
	}
	return nil, false
}

// Parent returns nil: there is no enclosing activation.
func (a *Activation) Parent() interpreter.Activation { return nil }
