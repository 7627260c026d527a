package open311

import (
	"slices"
	"sync"
	"time"
)

// Record is what intake keeps of a created request to answer GET requests:
// the caller's personal data is not in it.
type Record struct {
	ID          string
	Token       string
	ServiceCode string
	ServiceName string
	Description string // masked
	Address     string
	AddressID   string
	MediaURL    string
	Lat, Long   float64
	Requested   time.Time
}

// Records is the intake's memory of the requests it created, by id and
// token. It is safe for concurrent use.
type Records struct {
	mu      sync.RWMutex
	byID    map[string]*Record
	byToken map[string]string
	order   []*Record // in the order they were added
}

// NewRecords returns an empty record set.
func NewRecords() *Records {
	return &Records{byID: map[string]*Record{}, byToken: map[string]string{}}
}

// Add keeps r unless a record with its id exists; it returns the record kept
// and whether it was new.
func (rs *Records) Add(r Record) (Record, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if old, ok := rs.byID[r.ID]; ok {
		return *old, false
	}
	p := &r
	rs.byID[r.ID] = p
	if r.Token != "" {
		rs.byToken[r.Token] = r.ID
	}
	rs.order = append(rs.order, p)
	return r, true
}

// Get returns the record with id.
func (rs *Records) Get(id string) (Record, bool) {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	r, ok := rs.byID[id]
	if !ok {
		return Record{}, false
	}
	return *r, true
}

// ByToken returns the id of the request created with token.
func (rs *Records) ByToken(token string) (string, bool) {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	id, ok := rs.byToken[token]
	return id, ok
}

// Between returns the records requested in [from, to] whose service code is
// in codes (any when codes is empty), newest first.
func (rs *Records) Between(from, to time.Time, codes []string) []Record {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	var out []Record
	for _, r := range rs.order {
		if r.Requested.Before(from) || r.Requested.After(to) {
			continue
		}
		if len(codes) > 0 && !slices.Contains(codes, r.ServiceCode) {
			continue
		}
		out = append(out, *r)
	}
	slices.SortStableFunc(out, func(a, b Record) int { return b.Requested.Compare(a.Requested) })
	return out
}
