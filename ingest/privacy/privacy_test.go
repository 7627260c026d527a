package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want Caller }{
		{Caller{Name: "张三", Phone: "13812341234", Email: "zhang@example.com"}, Caller{Name: "张*", Phone: "138****1234", Email: "z***@example.com"}},
		{Caller{Name: "Jane Doe", Phone: "(212) 555-0143"}, Caller{Name: "J*******", Phone: "(212) ***-0143"}},
		{Caller{Phone: "110"}, Caller{Phone: "*10"}},
		{Caller{Email: "bad"}, Caller{Email: "***"}},
		{Caller{}, Caller{}},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSealBindsRecord(t *testing.T) {
	s, err := NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	c := Caller{Name: "张三", Phone: "13812341234"}
	b, err := s.Seal("a", c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open("a", b); err != nil || got != c {
		t.Errorf("Open = %+v, %v", got, err)
	}
	if _, err := s.Open("b", b); !errors.Is(err, ErrSealed) {
		t.Errorf("opening under another id: %v, want ErrSealed", err)
	}
	b[len(b)-1] ^= 1
	if _, err := s.Open("a", b); !errors.Is(err, ErrSealed) {
		t.Errorf("opening tampered bytes: %v, want ErrSealed", err)
	}
	if _, err := ParseKey("00"); err == nil {
		t.Error("a one-byte key was accepted")
	}
}

// TestHandlerAudits checks that the caller is shown only to an officer with
// a reason, and only after the audit record is written.
func TestHandlerAudits(t *testing.T) {
	s, _ := NewSealer(make([]byte, 16))
	v := NewVault()
	sealed, _ := s.Seal("311-x", Caller{Phone: "13812341234"})
	v.Put("311-x", sealed)
	var audits []Audit
	auditErr := error(nil)
	h := &Handler{Sealer: s, Vault: v, Officers: map[string]string{"tok": "officer-li"},
		Audit: func(_ context.Context, a Audit) error {
			if auditErr != nil {
				return auditErr
			}
			audits = append(audits, a)
			return nil
		}}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/callers/{id}", h)
	for _, tc := range []struct {
		name, path, token string
		auditFails        bool
		want              int
	}{
		{"no token", "/api/v1/callers/311-x?reason=callback", "", false, 401},
		{"bad token", "/api/v1/callers/311-x?reason=callback", "nope", false, 401},
		{"no reason", "/api/v1/callers/311-x", "tok", false, 400},
		{"unknown", "/api/v1/callers/311-y?reason=callback", "tok", false, 404},
		{"audit down", "/api/v1/callers/311-x?reason=callback", "tok", true, 503},
		{"ok", "/api/v1/callers/311-x?reason=callback", "tok", false, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auditErr = nil
			if tc.auditFails {
				auditErr = errors.New("down")
			}
			req := httptest.NewRequest("GET", tc.path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if tc.want == 200 {
				var c Caller
				if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || c.Phone != "13812341234" {
					t.Errorf("caller %+v, %v", c, err)
				}
			}
		})
	}
	if len(audits) != 1 || audits[0].Officer != "officer-li" || audits[0].RecordID != "311-x" || audits[0].Reason != "callback" {
		t.Errorf("audits %+v, want one for the successful read", audits)
	}
}

func TestMaskText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"电话13812341234请回电", "电话138****1234请回电"},
		{"call me at 212-555-0143 please", "call me at 212-***-0143 please"},
		{"call (718) 555 0100", "call (718) *** 0100"},
		{"mail zhang.san@example.com now", "mail z***@example.com now"},
		{"身份证110101199003071234", "身份证110101********1234"},
		{"订单号 20260701 不是电话", "订单号 20260701 不是电话"},
		{"no personal data", "no personal data"},
	} {
		if got := MaskText(tc.in); got != tc.want {
			t.Errorf("MaskText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
