package taskapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
)

// The headers of a request one replica forwards to another. The replica
// that received the caller's request authenticated the caller; it drops the
// caller's credentials and vouches for who the caller is instead, signing
// with the cluster secret every replica shares.
const (
	HeaderIdentity  = "X-Cityops-Identity"  // the caller: center, dept:ID or inspector:ID
	HeaderTimestamp = "X-Cityops-Timestamp" // when it was signed, Unix seconds
	HeaderSignature = "X-Cityops-Signature" // hex HMAC-SHA256, see Sign
)

// MaxSkew is how far a forwarded request's timestamp may be from the
// receiving replica's clock.
const MaxSkew = 60 * time.Second

// MinSecret is the fewest bytes of a cluster secret.
const MinSecret = 32

// ParseSecret decodes a cluster secret given in hex, as configuration holds
// it: at least MinSecret bytes.
func ParseSecret(s string) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("decoding the cluster secret: not hex: %w", err)
	}
	if len(k) < MinSecret {
		return nil, fmt.Errorf("decoding the cluster secret: %d bytes, want at least %d (%d hex digits)", len(k), MinSecret, 2*MinSecret)
	}
	return k, nil
}

// NewSecret makes a random cluster secret of MinSecret bytes, in hex.
func NewSecret() string {
	k := make([]byte, MinSecret)
	_, _ = rand.Read(k) // never fails
	return hex.EncodeToString(k)
}

// Forward is what a replica asserts when it forwards a request.
type Forward struct {
	From  string          // the forwarding replica's base URL
	To    string          // the base URL of the replica it forwards to
	Actor lifecycle.Actor // the caller it authenticated
	Time  time.Time
}

// FromIntake is the sender intake signs as when it hands a citizen's
// rating to the dispatchers (Open311 feedback). Intake calls the
// dispatchers' service, not one replica, so its requests are signed to
// no replica in particular (To is empty); the replica that takes one
// forwards it once more, signed as itself, to the replica that holds the
// task.
const FromIntake = "open311"

// Sign prepares req, whose body is body, to be forwarded: it removes the
// caller's credentials and sets X-Cityops-Forwarded, -Identity, -Timestamp
// and -Signature, the hex HMAC-SHA256 with the cluster secret of these
// lines, each ended by a newline:
//
//	cityops-forward-v1
//	To
//	method
//	request URI (path and query as sent)
//	hex SHA-256 of the body
//	identity
//	From
//	timestamp
func Sign(req *http.Request, body, secret []byte, f Forward) {
	for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie"} {
		req.Header.Del(h)
	}
	id, ts := f.Actor.String(), strconv.FormatInt(f.Time.Unix(), 10)
	req.Header.Set(HeaderForwarded, f.From)
	req.Header.Set(HeaderIdentity, id)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, forwardMAC(secret, f.To, req.Method, req.URL.RequestURI(), body, id, f.From, ts))
}

func forwardMAC(secret []byte, to, method, uri string, body []byte, id, from, ts string) string {
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, secret)
	for _, line := range []string{"cityops-forward-v1", to, method, uri, hex.EncodeToString(sum[:]), id, from, ts} {
		m.Write([]byte(line))
		m.Write([]byte{'\n'})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// forwarded reports whether r claims to come from another replica.
func forwarded(r *http.Request) bool {
	for _, h := range []string{HeaderForwarded, HeaderIdentity, HeaderTimestamp, HeaderSignature} {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

// verifyForward returns the caller a forwarded request vouches for, if its
// signature is the one the cluster secret makes for it, addressed to self,
// within MaxSkew of now.
func verifyForward(r *http.Request, body, secret []byte, self string, now time.Time) (lifecycle.Actor, error) {
	if len(secret) == 0 {
		return lifecycle.Actor{}, errors.New("this replica takes no forwarded requests")
	}
	ts := r.Header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return lifecycle.Actor{}, fmt.Errorf("%s %q is not Unix seconds", HeaderTimestamp, ts)
	}
	if skew := now.Sub(time.Unix(sec, 0)).Abs(); skew > MaxSkew {
		return lifecycle.Actor{}, fmt.Errorf("%s is %v away from this replica's clock, more than %v", HeaderTimestamp, skew.Round(time.Second), MaxSkew)
	}
	id, from := r.Header.Get(HeaderIdentity), r.Header.Get(HeaderForwarded)
	to := self
	if from == FromIntake {
		// Intake calls the dispatchers' service, whichever replica answers.
		to = ""
	}
	want := forwardMAC(secret, to, r.Method, r.RequestURI, body, id, from, ts)
	got := r.Header.Get(HeaderSignature)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return lifecycle.Actor{}, fmt.Errorf("%s does not match the request", HeaderSignature)
	}
	actor, ok := parseActor(id)
	if !ok {
		return lifecycle.Actor{}, fmt.Errorf("%s %q names no caller", HeaderIdentity, id)
	}
	return actor, nil
}

// parseActor reads what lifecycle.Actor.String writes for an API caller.
func parseActor(s string) (lifecycle.Actor, bool) {
	if s == "center" {
		return lifecycle.Actor{Center: true}, true
	}
	if d, ok := strings.CutPrefix(s, "dept:"); ok && d != "" {
		return lifecycle.Actor{Department: d}, true
	}
	if i, ok := strings.CutPrefix(s, "inspector:"); ok && i != "" {
		return lifecycle.Actor{Inspector: i}, true
	}
	return lifecycle.Actor{}, false
}
