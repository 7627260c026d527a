package ingest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// KeyLimiter limits requests per key (an api key, a device id): each key
// gets its own token bucket of Rate per second with Burst. It is safe for
// concurrent use. Buckets of keys not seen for ten minutes are dropped.
type KeyLimiter struct {
	Rate  rate.Limit
	Burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewKeyLimiter returns a limiter of perSecond requests per key with burst.
func NewKeyLimiter(perSecond float64, burst int) *KeyLimiter {
	return &KeyLimiter{Rate: rate.Limit(perSecond), Burst: burst, buckets: map[string]*bucket{}}
}

// Allow takes one token of key's bucket. When there is none it returns
// false and how long until there is.
func (l *KeyLimiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.Rate, l.Burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// SetRetryAfter sets the Retry-After header to d rounded up to whole
// seconds, at least one.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
}
