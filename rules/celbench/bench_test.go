package celbench

import (
	"testing"

	"cel.dev/cel-go/cel"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

func events(t testing.TB) []*rules.Input {
	t.Helper()
	evs, err := Events(realdata.Require(t), 1000)
	if err != nil {
		t.Fatalf("reading the shared real data: %v", err)
	}
	if len(evs) < 1500 {
		t.Fatalf("only %d events", len(evs))
	}
	return evs
}

func compileExpr(t testing.TB, src string) *vm.Program {
	t.Helper()
	p, err := expr.Compile(src, expr.Env(&rules.Input{}), expr.AsBool())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func compileCEL(t testing.TB, env *cel.Env, src string) cel.Program {
	t.Helper()
	p, err := CompileCEL(env, src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSameDecisions checks that both languages decide every condition the
// same way on every event, so the benchmarks compare equal work, and that
// each condition holds for some events and not for others.
func TestSameDecisions(t *testing.T) {
	evs := events(t)
	env, err := CELEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Conditions {
		t.Run(c.Name, func(t *testing.T) {
			ep, cp := compileExpr(t, c.Expr), compileCEL(t, env, c.CEL)
			yes := 0
			for i, in := range evs {
				ev, err := vm.Run(ep, in)
				if err != nil {
					t.Fatal(err)
				}
				cv, _, err := cp.Eval(&Activation{In: in})
				if err != nil {
					t.Fatal(err)
				}
				if ev.(bool) != cv.Value().(bool) {
					t.Fatalf("event %d (%s %s): expr says %v, CEL %v", i, in.Source, in.Type, ev, cv)
				}
				if ev.(bool) {
					yes++
				}
			}
			if yes == 0 || yes == len(evs) {
				t.Errorf("holds for %d of %d events", yes, len(evs))
			}
		})
	}
}

// BenchmarkEval evaluates each condition over the events, one event per
// iteration, in both languages; expr also with one VM reused across runs,
// as a caller that keeps a VM per goroutine would.
func BenchmarkEval(b *testing.B) {
	evs := events(b)
	env, err := CELEnv()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range Conditions {
		ep := compileExpr(b, c.Expr)
		b.Run("expr/"+c.Name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := vm.Run(ep, evs[i%len(evs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("expr-reused-vm/"+c.Name, func(b *testing.B) {
			b.ReportAllocs()
			var m vm.VM
			i := 0
			for b.Loop() {
				if _, err := m.Run(ep, evs[i%len(evs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		cp := compileCEL(b, env, c.CEL)
		b.Run("cel/"+c.Name, func(b *testing.B) {
			b.ReportAllocs()
			var act Activation
			i := 0
			for b.Loop() {
				act.In = evs[i%len(evs)]
				if _, _, err := cp.Eval(&act); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkCompile compiles every condition once per iteration: what a pack
// reload pays.
func BenchmarkCompile(b *testing.B) {
	b.Run("expr", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range Conditions {
				compileExpr(b, c.Expr)
			}
		}
	})
	b.Run("cel", func(b *testing.B) {
		env, err := CELEnv()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range Conditions {
				compileCEL(b, env, c.CEL)
			}
		}
	})
}
