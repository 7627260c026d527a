package web

// maxTombstones is how many closed incidents the hub remembers.
const maxTombstones = 1 << 16

// tombstones remember the last version of recently closed incidents, up to a
// fixed number, forgetting the oldest first.
type tombstones struct {
	v     map[string]uint64
	order []string // ring of ids, oldest at next once full
	next  int
}

func newTombstones(n int) tombstones {
	return tombstones{v: make(map[string]uint64), order: make([]string, 0, n)}
}

func (t *tombstones) get(id string) (uint64, bool) {
	v, ok := t.v[id]
	return v, ok
}

func (t *tombstones) add(id string, version uint64) {
	if _, ok := t.v[id]; ok {
		t.v[id] = version
		return
	}
	if len(t.order) < cap(t.order) {
		t.order = append(t.order, id)
	} else {
		delete(t.v, t.order[t.next])
		t.order[t.next] = id
		t.next = (t.next + 1) % len(t.order)
	}
	t.v[id] = version
}
