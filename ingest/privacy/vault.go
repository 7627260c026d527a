package privacy

import "sync"

// Vault keeps sealed callers by record id. It holds only ciphertext; the
// durable copy travels in the record's headers on the raw events topic.
type Vault struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// NewVault returns an empty vault.
func NewVault() *Vault { return &Vault{m: map[string][]byte{}} }

// Put keeps sealed for id.
func (v *Vault) Put(id string, sealed []byte) {
	v.mu.Lock()
	v.m[id] = sealed
	v.mu.Unlock()
}

// Get returns the sealed caller of id.
func (v *Vault) Get(id string) ([]byte, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	b, ok := v.m[id]
	return b, ok
}
