// Package privacy protects the personal data of hotline callers: the name,
// phone and e-mail a caller gives are masked (138****1234) in every record
// that leaves intake, and the originals are sealed with AES-GCM under a key
// from the configuration. A sealed original can be read only through an
// authorized endpoint, and every read writes an audit record first.
package privacy
