package privacy

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Sealer encrypts callers with AES-GCM. The record's id is bound in as
// additional data, so a sealed caller cannot be moved to another record.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a sealer for a 16-, 24- or 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("making the caller cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("making the caller cipher: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// ParseKey decodes a key given in hex, as configuration holds it.
func ParseKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("decoding the caller key: %w", err)
	}
	if n := len(k); n != 16 && n != 24 && n != 32 {
		return nil, fmt.Errorf("decoding the caller key: %d bytes, want 16, 24 or 32", n)
	}
	return k, nil
}

// Seal encrypts c for the record id: nonce || ciphertext.
func (s *Sealer) Seal(id string, c Caller) ([]byte, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("sealing caller of %s: %w", id, err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("sealing caller of %s: %w", id, err)
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(id)), nil
}

// ErrSealed is returned for a sealed caller that does not open: the wrong
// key, the wrong record or tampered bytes.
var ErrSealed = errors.New("sealed caller does not open")

// Open decrypts what Seal made for id.
func (s *Sealer) Open(id string, sealed []byte) (Caller, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return Caller{}, ErrSealed
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return Caller{}, ErrSealed
	}
	var c Caller
	if err := json.Unmarshal(plain, &c); err != nil {
		return Caller{}, fmt.Errorf("opening caller of %s: %w", id, err)
	}
	return c, nil
}
