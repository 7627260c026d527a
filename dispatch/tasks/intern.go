package tasks

import (
	"sync"

	"github.com/cityops/cityops"
)

// interner shares the few distinct strings that a million tasks repeat
// (departments, areas, categories), which keeps their memory small.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) < 1<<16 {
		in.m[s] = s
	}
	return s
}

func (in *interner) incident(inc *cityops.Incident) {
	inc.Type = in.str(inc.Type)
	inc.Category = in.str(inc.Category)
	inc.CategoryName = in.str(inc.CategoryName)
	inc.AreaID = in.str(inc.AreaID)
	inc.DistrictID = in.str(inc.DistrictID)
	inc.DepartmentID = in.str(inc.DepartmentID)
	inc.Source = cityops.Source(in.str(string(inc.Source)))
	inc.Status = cityops.Status(in.str(string(inc.Status)))
	for i, d := range inc.Cooperating {
		inc.Cooperating[i] = in.str(d)
	}
	for i, r := range inc.Rules {
		inc.Rules[i] = in.str(r)
	}
}
