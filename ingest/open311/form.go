package open311

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cityops/cityops"
)

// Limits on the fields of a created request.
const (
	MaxFormBytes   = 64 << 10
	maxDescription = 4000 // characters, as the specification says
	maxNameLen     = 100
	maxEmailLen    = 254
	maxPhoneLen    = 32
	maxAddressLen  = 500
	maxURLLen      = 2000
	maxKeyLen      = 128
	maxAttrLen     = 1000
	maxAttrs       = 50
)

// Form is a decoded POST requests body.
type Form struct {
	APIKey       string
	Jurisdiction string
	ServiceCode  string
	Lat, Long    *float64
	Address      string
	AddressID    string
	Email        string
	DeviceID     string
	AccountID    string
	FirstName    string
	LastName     string
	Phone        string
	Description  string
	MediaURL     string
	Attributes   map[string][]string // attribute[code] and attribute[code][]
	Values       url.Values          // the whole form, for the request's identity
}

var htmlTag = regexp.MustCompile(`<\s*/?\s*[A-Za-z!]`)

// DecodeForm decodes and checks an application/x-www-form-urlencoded body.
// It checks every field and returns a *cityops.FieldError for each bad one,
// joined (errors.Join): the first is what errors.As finds.
func DecodeForm(body []byte) (Form, error) {
	if !utf8.Valid(body) {
		return Form{}, cityops.Invalid("body", "not valid UTF-8")
	}
	vs, err := url.ParseQuery(string(body))
	if err != nil {
		return Form{}, cityops.Invalid("body", "malformed form: %v", err)
	}
	f := Form{Values: vs, Attributes: map[string][]string{}}
	var errs []error
	one := func(name string, max int, dst *string) error {
		v := vs[name]
		if len(v) > 1 {
			return cityops.Invalid(name, "given %d times", len(v))
		}
		if len(v) == 1 {
			if utf8.RuneCountInString(v[0]) > max {
				return cityops.Invalid(name, "longer than %d characters", max)
			}
			*dst = strings.TrimSpace(v[0])
		}
		return nil
	}
	for _, s := range []struct {
		name string
		max  int
		dst  *string
	}{
		{"api_key", maxKeyLen, &f.APIKey}, {"jurisdiction_id", maxKeyLen, &f.Jurisdiction},
		{"service_code", maxKeyLen, &f.ServiceCode}, {"address_string", maxAddressLen, &f.Address},
		{"address_id", maxKeyLen, &f.AddressID}, {"email", maxEmailLen, &f.Email},
		{"device_id", maxKeyLen, &f.DeviceID}, {"account_id", maxKeyLen, &f.AccountID},
		{"first_name", maxNameLen, &f.FirstName}, {"last_name", maxNameLen, &f.LastName},
		{"phone", maxPhoneLen, &f.Phone}, {"description", maxDescription, &f.Description},
		{"media_url", maxURLLen, &f.MediaURL},
	} {
		if err := one(s.name, s.max, s.dst); err != nil {
			errs = append(errs, err)
		}
	}
	if htmlTag.MatchString(f.Description) {
		errs = append(errs, cityops.Invalid("description", "must not contain HTML"))
	}
	if f.Email != "" && !strings.Contains(f.Email, "@") {
		errs = append(errs, cityops.Invalid("email", "not an e-mail address"))
	}
	if f.MediaURL != "" {
		if u, err := url.Parse(f.MediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, cityops.Invalid("media_url", "must be an http or https URL"))
		}
	}
	for _, c := range []struct {
		name string
		dst  **float64
	}{{"lat", &f.Lat}, {"long", &f.Long}} {
		var s string
		if err := one(c.name, 32, &s); err != nil {
			errs = append(errs, err)
			continue
		}
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			errs = append(errs, cityops.Invalid(c.name, "%q is not a number", s))
			continue
		}
		*c.dst = &x
	}
	for k, v := range vs {
		code, ok := attributeCode(k)
		if !ok {
			continue
		}
		if len(f.Attributes) >= maxAttrs {
			errs = append(errs, cityops.Invalid("attribute", "more than %d attributes", maxAttrs))
			break
		}
		f.Attributes[code] = append(f.Attributes[code], v...)
	}
	if len(errs) > 0 {
		return f, errors.Join(errs...)
	}
	return f, nil
}

// attributeCode returns code for "attribute[code]" and "attribute[code][]".
func attributeCode(k string) (string, bool) {
	k, ok := strings.CutPrefix(k, "attribute[")
	if !ok {
		return "", false
	}
	k = strings.TrimSuffix(k, "[]")
	code, ok := strings.CutSuffix(k, "]")
	if !ok || code == "" || strings.ContainsAny(code, "[]") {
		return "", false
	}
	return code, true
}
