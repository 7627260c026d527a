package ingest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/cityops/cityops"
)

// Key is one sender's intake key: who it is, the secret it presents as
// `Authorization: Bearer <secret>`, and what it may send.
type Key struct {
	Name    string                  // scopes the sender's ids: stored as Name:id
	Secret  string                  // the bearer token
	Sources map[cityops.Source]bool // empty: any source
	Devices map[string]bool         // empty: any registered device
}

// Allows says whether the key may send an event of source from device
// (empty for a report without a device).
func (k *Key) Allows(source cityops.Source, device string) error {
	if len(k.Sources) > 0 && !k.Sources[source] {
		return cityops.Invalid("source", "key %s may not send %s events", k.Name, source)
	}
	if len(k.Devices) > 0 && device != "" && !k.Devices[device] {
		return cityops.Invalid("device_id", "key %s may not send for device %q", k.Name, device)
	}
	if len(k.Devices) > 0 && device == "" && source == cityops.SourceIoT {
		return cityops.Invalid("device_id", "key %s sends for its devices only; name one", k.Name)
	}
	return nil
}

// Scope returns the stored id of a sender's client id: the key's name, a
// colon and the id, so that one sender's ids never meet another's. Key
// names have no colon, so two senders cannot produce the same stored id.
func (k *Key) Scope(clientID string) string { return k.Name + ":" + clientID }

// Keys are the intake keys by secret. A nil *Keys lets every request in
// (tests and tools that run intake without a key): roles refuse to start
// without keys.
type Keys struct {
	bySecret map[[32]byte]*Key
}

// NewKeys indexes keys by secret; names and secrets must be unique.
func NewKeys(keys []Key) (*Keys, error) {
	ks := &Keys{bySecret: map[[32]byte]*Key{}}
	names := map[string]bool{}
	for i := range keys {
		k := keys[i]
		if err := checkKey(&k); err != nil {
			return nil, err
		}
		if names[k.Name] {
			return nil, fmt.Errorf("key %s: the name is used twice", k.Name)
		}
		h := sha256.Sum256([]byte(k.Secret))
		if _, dup := ks.bySecret[h]; dup {
			return nil, fmt.Errorf("key %s: its secret is another key's", k.Name)
		}
		names[k.Name] = true
		ks.bySecret[h] = &k
	}
	return ks, nil
}

// ParseKeys parses keys written as `name=secret[;sources=hotline,iot][;devices=d1,d2]`,
// separated by commas or newlines (see SplitKeys).
func ParseKeys(spec string) (*Keys, error) {
	var keys []Key
	var errs []error
	for _, item := range SplitKeys(spec) {
		k, err := ParseKey(item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewKeys(keys)
}

// SplitKeys splits a list of key specs on newlines and commas. A comma also
// separates the sources or devices of one key, so a piece whose first
// part (before any ';') has no '=' continues the key before it:
// `a=s1;devices=d1,d2,b=s2` is the keys a (devices d1 and d2) and b.
func SplitKeys(spec string) []string {
	var out []string
	for _, line := range strings.Split(spec, "\n") {
		for _, piece := range strings.Split(line, ",") {
			piece = strings.TrimSpace(piece)
			if piece == "" {
				continue
			}
			first, _, _ := strings.Cut(piece, ";")
			if !strings.Contains(first, "=") && len(out) > 0 {
				out[len(out)-1] += "," + piece
				continue
			}
			out = append(out, piece)
		}
	}
	return out
}

// ParseKey parses one key spec, `name=secret[;sources=...][;devices=...]`.
// Errors do not quote the secret.
func ParseKey(item string) (Key, error) {
	parts := strings.Split(item, ";")
	name, secret, ok := strings.Cut(strings.TrimSpace(parts[0]), "=")
	name, secret = strings.TrimSpace(name), strings.TrimSpace(secret)
	if !ok || name == "" || secret == "" {
		return Key{}, fmt.Errorf("%q is not name=key[;sources=...][;devices=...]", redactKey(item))
	}
	k := Key{Name: name, Secret: secret}
	for _, p := range parts[1:] {
		opt, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return Key{}, fmt.Errorf("key %s: %q is not option=value (sources or devices)", name, p)
		}
		var items []string
		for _, v := range strings.Split(val, ",") {
			if v = strings.TrimSpace(v); v != "" {
				items = append(items, v)
			}
		}
		if len(items) == 0 {
			return Key{}, fmt.Errorf("key %s: %s is empty", name, opt)
		}
		switch strings.TrimSpace(opt) {
		case "sources":
			k.Sources = map[cityops.Source]bool{}
			for _, s := range items {
				if !cityops.Source(s).Valid() {
					return Key{}, fmt.Errorf("key %s: source %q is not hotline or iot", name, s)
				}
				k.Sources[cityops.Source(s)] = true
			}
		case "devices":
			k.Devices = map[string]bool{}
			for _, d := range items {
				k.Devices[d] = true
			}
		default:
			return Key{}, fmt.Errorf("key %s: unknown option %q (sources or devices)", name, opt)
		}
	}
	return k, checkKey(&k)
}

// checkKey checks a key's name and secret.
func checkKey(k *Key) error {
	if k.Name == "" || len(k.Name) > 32 {
		return fmt.Errorf("key name %q must be 1 to 32 characters", k.Name)
	}
	for _, r := range k.Name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("key name %q may have letters, digits, '-', '_' and '.' only", k.Name)
		}
	}
	if !printable(k.Secret) {
		return fmt.Errorf("key %s: the key must be printable ASCII without spaces", k.Name)
	}
	return nil
}

// redactKey hides the secret of a key spec for an error message.
func redactKey(item string) string {
	first, rest, more := strings.Cut(item, ";")
	if name, _, ok := strings.Cut(first, "="); ok {
		first = name + "=(key)"
	}
	if more {
		return first + ";" + rest
	}
	return first
}

// Names returns the keys' names, sorted.
func (ks *Keys) Names() []string {
	if ks == nil {
		return nil
	}
	out := make([]string, 0, len(ks.bySecret))
	for _, k := range ks.bySecret {
		out = append(out, k.Name)
	}
	sort.Strings(out)
	return out
}

// Len is how many keys there are.
func (ks *Keys) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.bySecret)
}

// errUnauthorized answers a request without a known key.
var errUnauthorized = errors.New("an intake key is required: send Authorization: Bearer <key>")

// Authenticate returns the key of r's `Authorization: Bearer` header. With
// nil keys every request passes, with a nil *Key. The secret is looked up
// by its SHA-256, so the comparison takes the same time for any guess.
func (ks *Keys) Authenticate(r *http.Request) (*Key, error) {
	if ks == nil {
		return nil, nil
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, errUnauthorized
	}
	k, ok := ks.bySecret[sha256.Sum256([]byte(strings.TrimSpace(tok)))]
	if !ok {
		return nil, errors.New("the intake key is unknown")
	}
	return k, nil
}

// unauthorized answers 401 with the challenge.
func unauthorized(w http.ResponseWriter, err error) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="cityops intake"`)
	writeError(w, http.StatusUnauthorized, err)
}

// jsonBody checks that r's body is JSON or NDJSON, so that a web page
// cannot post a report through a visitor's browser (which sends text/plain
// and forms without asking first). It answers 415 when it is not.
func jsonBody(w http.ResponseWriter, r *http.Request) bool {
	ct := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type")))
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.TrimSpace(mt) {
	case "application/json", "application/x-ndjson":
		return true
	}
	writeError(w, http.StatusUnsupportedMediaType, cityops.Invalid("Content-Type", "must be application/json or application/x-ndjson, not %q", ct))
	return false
}
