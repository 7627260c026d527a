package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
)

// What the deployment files are checked against, taken from the roles
// themselves: the flags each role registers, the environment it reads, the
// paths it serves its probes on, and the consumer groups it commits as.

// roleSpec is what `cityops ROLE --help` says a role takes.
type roleSpec struct {
	flags map[string]bool // flag name -> whether it takes a value (not a bool)
	env   map[string]bool // environment variables the role reads
}

var (
	roleSpecsMu sync.Mutex
	roleSpecs   = map[string]roleSpec{}
)

var (
	helpFlag = regexp.MustCompile(`(?m)^  -([\w-]+)( \w+)?`)
	helpEnv  = regexp.MustCompile(`\(env (CITYOPS_\w+)\)`)
)

// roleFlags runs `cityops ROLE --help` and returns its flags and the
// variables the role reads: those its flags' help names, and the settings'
// variables of the settings it has a flag for (parseFlags applies those).
func roleFlags(t *testing.T, role string) roleSpec {
	t.Helper()
	roleSpecsMu.Lock()
	defer roleSpecsMu.Unlock()
	if s, ok := roleSpecs[role]; ok {
		return s
	}
	cmd, ok := commands[role]
	if !ok {
		t.Fatalf("no command %s", role)
	}
	t.Setenv("CITYOPS_CONFIG", "")
	var help bytes.Buffer
	if err := cmd.run(context.Background(), []string{"--help"}, io.Discard, &help); exitCode(err) != 0 {
		t.Fatalf("cityops %s --help: %v", role, err)
	}
	s := roleSpec{flags: map[string]bool{}, env: map[string]bool{}}
	for _, m := range helpFlag.FindAllStringSubmatch(help.String(), -1) {
		s.flags[m[1]] = m[2] != ""
	}
	if len(s.flags) < 3 {
		t.Fatalf("cityops %s --help lists %d flags:\n%s", role, len(s.flags), help.String())
	}
	for _, m := range helpEnv.FindAllStringSubmatch(help.String(), -1) {
		s.env[m[1]] = true
	}
	for _, st := range settings {
		if _, ok := s.flags[st.flag]; ok {
			s.env[st.env] = true
		}
	}
	roleSpecs[role] = s
	return s
}

// checkArgs checks a role's command line: every flag is one the role has,
// and each flag with a value has one. It returns the flags' values.
func checkArgs(t *testing.T, where, role string, args []string) map[string]string {
	t.Helper()
	spec := roleFlags(t, role)
	vals := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			t.Errorf("%s: argument %q of cityops %s is no flag", where, a, role)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue, ok := spec.flags[name]
		if !ok {
			t.Errorf("%s: cityops %s has no flag --%s", where, role, name)
			continue
		}
		if takesValue && !hasVal {
			if i+1 == len(args) {
				t.Errorf("%s: --%s without a value", where, name)
				continue
			}
			i++
			val = args[i]
		}
		vals[name] = val
	}
	return vals
}

// listenPort is the port of a listen address such as :8081.
func listenPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	return port
}

// servedPort is the port a role serves its probes and /metrics on, given
// its config and the flags on its command line.
func servedPort(t *testing.T, role string, c role.Config, flags map[string]string) string {
	t.Helper()
	flag := "http"
	if role == "process" || role == "store" {
		flag = "admin"
	}
	if v, ok := flags[flag]; ok {
		return listenPort(t, v)
	}
	return rolePort(t, role, c)
}

// probeHandler is what answers a role's probes: web's own server for web,
// the admin handler (/healthz, /readyz, /metrics) for the others.
func probeHandler(t *testing.T, name string) http.Handler {
	t.Helper()
	if name != "web" {
		return web.NewAdmin(prometheus.NewRegistry(), nil, nil)
	}
	var o role.Config
	pack, err := o.LoadPack()
	if err != nil {
		t.Fatal(err)
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{City: role.CityOf(pack, areas), AreasGeoJSON: pack.AreasGeoJSON})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

// servesPath reports whether role answers GET path with anything but 404
// and 405.
func servesPath(t *testing.T, role, path string) bool {
	t.Helper()
	w := httptest.NewRecorder()
	probeHandler(t, role).ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed
}

// roleGroups are the consumer groups each role commits as, with the topic
// each consumes: what lag-based autoscaling may watch.
var roleGroups = map[string]map[string]string{
	"process": {bus.GroupClassify: bus.TopicEventsRaw, bus.GroupMerge: stateful.TopicSignals},
	"store":   {bus.GroupStore: bus.TopicIncidentChanges, bus.GroupStoreTransitions: tasks.Topic, bus.GroupStoreFound: bus.TopicIncidentsFound},
}

// knownGroup reports whether group is one bus names.
func knownGroup(group string) bool {
	return slices.Contains(bus.Groups, group)
}
