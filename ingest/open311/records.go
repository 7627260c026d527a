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
	Description string // masked, as are the three below
	Address     string
	AddressID   string
	MediaURL    string // masked with privacy.MaskURL
	Lat, Long   float64
	Requested   time.Time
}

// Records is the intake's memory of the requests it created, by id and
// token: the newest MaxRecords of them. It is safe for concurrent use.
type Records struct {
	max     int
	mu      sync.RWMutex
	byID    map[string]*Record
	byToken map[string]string
	order   []*Record // in the order they were added
}

// MaxRecords is how many requests Records keeps; older ones are found
// through the store (Config.Lookup).
const MaxRecords = 200_000

// NewRecords returns an empty record set.
func NewRecords() *Records {
	return &Records{max: MaxRecords, byID: map[string]*Record{}, byToken: map[string]string{}}
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
	if len(rs.order) > rs.max {
		old := rs.order[0]
		rs.order[0] = nil
		rs.order = rs.order[1:]
		delete(rs.byID, old.ID)
		delete(rs.byToken, old.Token)
	}
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
