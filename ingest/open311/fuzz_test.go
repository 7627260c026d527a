package open311

import (
	"errors"
	"testing"

	"github.com/cityops/cityops"
)

// FuzzDecodeForm feeds arbitrary bytes to the POST requests form decoder
// and the attribute check: no panic, and every refusal is a field error.
func FuzzDecodeForm(f *testing.F) {
	def := Definition{Code: "09006", Attributes: testAttributes["09006"]}
	f.Fuzz(func(t *testing.T, b []byte) {
		form, err := DecodeForm(b)
		if err != nil {
			var fe *cityops.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if err := checkAttributes(def, form.Attributes); err != nil {
			var fe *cityops.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("attribute error %v is not a field error", err)
			}
		}
		if id := requestID(form); len(id) != 24 {
			t.Fatalf("request id %q", id)
		}
	})
}
