package role

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/web"
)

// TestReadyzReflectsKafka checks that a role's readiness fails while its
// broker does not answer, naming Kafka.
func TestReadyzReflectsKafka(t *testing.T) {
	o := &proc{Config: Config{Kafka: KafkaConfig{Brokers: []string{roletest.FreeAddr(t)}}}} // nothing listens there
	rec := httptest.NewRecorder()
	web.NewAdmin(newRegistry(), kafkaReady(o), nil).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "kafka") {
		t.Errorf("readyz with the broker down: %d %q", rec.Code, rec.Body.String())
	}
}
