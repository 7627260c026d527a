package main

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cityops/cityops/ingest/bus"
	"go.yaml.in/yaml/v3"
)

// The deploy/ files cannot run here (no Docker engine, no cluster); these
// tests keep them consistent with the binary: roles, settings, ports, consumer
// groups, topics, metrics and the schema.

const deployDir = "../../deploy"

type composeService struct {
	Image       string            `yaml:"image"`
	Build       map[string]string `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
	Restart string         `yaml:"restart"`
	Ulimits map[string]any `yaml:"ulimits"`
}

type composeFile struct {
	Name     string                    `yaml:"name"`
	Cityops  any                       `yaml:"x-cityops"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

// strictYAML decodes one YAML document of path into v, refusing unknown keys.
func strictYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// pinned reports whether image names a version: a tag that is not latest.
var pinnedImage = regexp.MustCompile(`^[a-z0-9./-]+:[0-9]+(\.[0-9]+)*[a-z0-9.-]*$|^[a-z0-9./-]+:v[0-9][0-9.]*$|^[a-z0-9./-]+:[0-9.]+-[a-z]+$`)

// roleConfig returns the effective config of a role given a config file and
// the role's environment.
func roleConfig(t *testing.T, file string, env map[string]string) config {
	t.Helper()
	c, _, err := loadConfig(file, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("%s with %v: %v", file, env, err)
	}
	return c
}

// rolePort is the port a role serves /metrics and its probes on.
func rolePort(t *testing.T, role string, c config) string {
	t.Helper()
	addr := c.HTTP.Listen
	if role == "process" || role == "store" || role == "mqtt" {
		addr = c.Admin.Listen
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func TestDockerCompose(t *testing.T) {
	var f composeFile
	strictYAML(t, filepath.Join(deployDir, "docker-compose.yml"), &f)
	if f.Name != "" {
		t.Errorf("the compose file names its project %q: Compose v1 (Debian's docker-compose) refuses a top-level name", f.Name)
	}
	settingEnv := map[string]bool{"CITYOPS_CONFIG": true}
	for _, s := range settings {
		settingEnv[s.env] = true
	}
	for _, e := range mqttEnv {
		settingEnv[e] = true
	}
	ports := map[string]string{} // service -> metrics port
	for name, s := range f.Services {
		if s.Build == nil && !pinnedImage.MatchString(s.Image) {
			t.Errorf("%s: image %q is not pinned to a version", name, s.Image)
		}
		for dep := range s.DependsOn {
			if _, ok := f.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
			}
		}
		for _, v := range s.Volumes {
			if host, _, _ := strings.Cut(v, ":"); strings.HasPrefix(host, "./") {
				if _, err := os.Stat(filepath.Join(deployDir, host)); err != nil {
					t.Errorf("%s mounts %s: %v", name, host, err)
				}
			} else if _, ok := f.Volumes[host]; !ok {
				t.Errorf("%s mounts the volume %s, which is not declared", name, host)
			}
		}
		for k := range s.Environment {
			if strings.HasPrefix(k, "CITYOPS_") && !settingEnv[k] {
				t.Errorf("%s sets %s, which no setting reads", name, k)
			}
		}
		if s.Build == nil || len(s.Command) == 0 {
			continue
		}
		if _, ok := commands[s.Command[0]]; !ok {
			t.Errorf("%s runs `cityops %s`, which is not a command", name, s.Command[0])
		}
		if cfg := s.Environment["CITYOPS_CONFIG"]; cfg != "" {
			env := copyEnv(s.Environment)
			env["CITYOPS_CONFIG"] = ""
			for k, v := range env {
				if strings.HasPrefix(v, "${") { // from the shell of whoever runs compose
					env[k] = ""
				}
			}
			ports[name] = rolePort(t, s.Command[0], roleConfig(t, filepath.Join(deployDir, "compose/cityops.yml"), env))
		}
	}
	// The dispatcher (uid 10001) writes its tokens into a volume given to
	// that uid first; web reads the same file to open the views it guards.
	d, w := f.Services["dispatch"], f.Services["web"]
	if owner, ok := f.Services["volume-owner"]; !ok || d.DependsOn["volume-owner"].Condition != "service_completed_successfully" ||
		!slices.Contains(owner.Command, "10001:10001") {
		t.Errorf("dispatch writes its volume as uid 10001 without a step that gives the volume to that uid first")
	}
	if i := slices.Index(w.Command, "--tokens"); i < 0 || i+1 == len(w.Command) || !slices.Contains(d.Command, w.Command[i+1]) ||
		!slices.Contains(w.Volumes, "dispatch-data:/var/lib/cityops:ro") {
		t.Errorf("web does not read the dispatcher's tokens: command %v, volumes %v", w.Command, w.Volumes)
	}
	if k := f.Services["kafka"]; !strings.Contains(k.Environment["KAFKA_PROCESS_ROLES"], "controller") {
		t.Errorf("kafka does not run in KRaft mode: %v", k.Environment)
	}
	if img := f.Services["clickhouse"].Image; strings.Contains(img, ":18.") {
		t.Errorf("clickhouse image %s is not a current server", img)
	}
	for _, role := range []string{"ingest", "process", "store", "dispatch", "web", "mqtt"} {
		if _, ok := ports[role]; !ok {
			t.Errorf("no service runs the %s role with the shared config", role)
		}
	}

	// Prometheus scrapes each role where it serves its metrics.
	var prom struct {
		Global        map[string]string `yaml:"global"`
		RuleFiles     []string          `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string          `yaml:"targets"`
				Labels  map[string]string `yaml:"labels"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	strictYAML(t, filepath.Join(deployDir, "prometheus/prometheus.yml"), &prom)
	scraped := map[string]bool{}
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				host, port, err := net.SplitHostPort(target)
				if err != nil || ports[host] != port {
					t.Errorf("prometheus scrapes %s; %s serves metrics on port %q", target, host, ports[host])
				}
				scraped[host] = true
			}
		}
	}
	for role := range ports {
		if !scraped[role] {
			t.Errorf("prometheus does not scrape %s", role)
		}
	}
}

func copyEnv(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// goRuntimeEnv are the variables Go's runtime reads in every role.
var goRuntimeEnv = map[string]bool{"GOGC": true, "GOMEMLIMIT": true, "GOMAXPROCS": true}

// k8sObject is the part of a manifest the checks read; other fields are
// left to the API server's own validation.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Selector yaml.Node `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec struct {
				Containers []struct {
					Image string   `yaml:"image"`
					Args  []string `yaml:"args"`
					Env   []struct {
						Name string `yaml:"name"`
					} `yaml:"env"`
					Ports []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
					} `yaml:"ports"`
					ReadinessProbe k8sProbe `yaml:"readinessProbe"`
					LivenessProbe  k8sProbe `yaml:"livenessProbe"`
					VolumeMounts   []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name      string `yaml:"name"`
					ConfigMap struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			Port       int    `yaml:"port"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		Triggers []struct {
			Type     string            `yaml:"type"`
			Metadata map[string]string `yaml:"metadata"`
		} `yaml:"triggers"`
	} `yaml:"spec"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

func readManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var objs []k8sObject
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o k8sObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
				t.Errorf("%s: an object without apiVersion, kind or name", f)
			}
			if o.Kind != "Namespace" && o.Metadata.Namespace != "cityops" {
				t.Errorf("%s %s is not in the cityops namespace", o.Kind, o.Metadata.Name)
			}
			objs = append(objs, o)
		}
	}
	return objs
}

func TestKubernetesManifests(t *testing.T) {
	objs := readManifests(t)
	byKind := map[string]map[string]k8sObject{}
	for _, o := range objs {
		if byKind[o.Kind] == nil {
			byKind[o.Kind] = map[string]k8sObject{}
		}
		byKind[o.Kind][o.Metadata.Name] = o
	}
	cm, ok := byKind["ConfigMap"]["cityops-config"]
	if !ok {
		t.Fatal("no ConfigMap cityops-config")
	}
	cfgFile := filepath.Join(t.TempDir(), "cityops.yml")
	if err := os.WriteFile(cfgFile, []byte(cm.Data["cityops.yml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	settingEnv := map[string]bool{}
	for _, s := range settings {
		settingEnv[s.env] = true
	}
	for _, e := range mqttEnv {
		settingEnv[e] = true
	}
	roles := map[string]bool{}
	// The roles run as Deployments, and as StatefulSets where a replica
	// needs a stable name (mqtt's client id).
	workloads := maps.Clone(byKind["Deployment"])
	if workloads == nil {
		workloads = map[string]k8sObject{}
	}
	for name, s := range byKind["StatefulSet"] {
		if s.Metadata.Labels["app.kubernetes.io/name"] == "cityops" {
			workloads[name] = s
		}
	}
	for name, d := range workloads {
		var sel struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		}
		if err := d.Spec.Selector.Decode(&sel); err != nil || len(sel.MatchLabels) == 0 {
			t.Errorf("%s: no matchLabels selector", name)
		}
		for k, v := range sel.MatchLabels {
			if d.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("%s: the selector %s=%s does not match the pods' labels", name, k, v)
			}
		}
		if len(d.Spec.Template.Spec.Containers) != 1 {
			t.Fatalf("%s: %d containers", name, len(d.Spec.Template.Spec.Containers))
		}
		c := d.Spec.Template.Spec.Containers[0]
		if !pinnedImage.MatchString(c.Image) {
			t.Errorf("%s: image %q is not pinned", name, c.Image)
		}
		if len(c.Args) == 0 {
			t.Fatalf("%s: no args", name)
		}
		role := c.Args[0]
		roles[role] = true
		if _, ok := commands[role]; !ok {
			t.Errorf("%s runs `cityops %s`, which is not a command", name, role)
		}
		i := slices.Index(c.Args, "--config")
		if i < 0 || i+1 >= len(c.Args) {
			t.Errorf("%s: no --config", name)
		} else {
			mounted := false
			for _, m := range c.VolumeMounts {
				for _, v := range d.Spec.Template.Spec.Volumes {
					if v.Name == m.Name && v.ConfigMap.Name == "cityops-config" && c.Args[i+1] == m.MountPath+"/cityops.yml" {
						mounted = true
					}
				}
			}
			if !mounted {
				t.Errorf("%s: --config %s is not the mounted ConfigMap", name, c.Args[i+1])
			}
		}
		env := map[string]string{}
		for _, e := range c.Env {
			if !settingEnv[e.Name] && !goRuntimeEnv[e.Name] {
				t.Errorf("%s sets %s, which no setting reads", name, e.Name)
			}
			env[e.Name] = ""
		}
		port := rolePort(t, role, roleConfig(t, cfgFile, env))
		named := map[string]string{}
		for _, p := range c.Ports {
			named[p.Name] = strconv.Itoa(p.ContainerPort)
		}
		for _, probe := range []struct{ path, port string }{
			{c.ReadinessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Port},
			{c.LivenessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Port},
		} {
			if named[probe.port] != port {
				t.Errorf("%s: probe %s on port %q (%s); the role serves on %s", name, probe.path, probe.port, named[probe.port], port)
			}
		}
		if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" {
			t.Errorf("%s: probes %s and %s", name, c.ReadinessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path)
		}
		if a := d.Spec.Template.Metadata.Annotations; a["prometheus.io/port"] != port || a["prometheus.io/path"] != "/metrics" {
			t.Errorf("%s: scraped on %s%s, metrics are on port %s", name, a["prometheus.io/port"], a["prometheus.io/path"], port)
		}
	}
	for _, role := range []string{"ingest", "process", "store", "dispatch", "web", "mqtt"} {
		if !roles[role] {
			t.Errorf("no Deployment or StatefulSet runs %s", role)
		}
	}
	for name, s := range byKind["Service"] {
		var sel map[string]string
		if err := s.Spec.Selector.Decode(&sel); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range slices.Concat(slices.Collect(maps.Values(byKind["Deployment"])), slices.Collect(maps.Values(byKind["StatefulSet"]))) {
			match := len(sel) > 0
			for k, v := range sel {
				match = match && d.Spec.Template.Metadata.Labels[k] == v
			}
			if !match {
				continue
			}
			found = true
			for _, p := range s.Spec.Ports {
				if !slices.ContainsFunc(d.Spec.Template.Spec.Containers[0].Ports, func(cp struct {
					Name          string `yaml:"name"`
					ContainerPort int    `yaml:"containerPort"`
				}) bool {
					return cp.Name == p.TargetPort
				}) {
					t.Errorf("Service %s targets port %s, which %s does not name", name, p.TargetPort, d.Metadata.Name)
				}
			}
		}
		if !found {
			t.Errorf("Service %s selects no Deployment or StatefulSet", name)
		}
	}
	brokers := roleConfig(t, cfgFile, nil).Kafka.Brokers
	groups := map[string]string{"cityops-process": bus.GroupClassify, "cityops-store": groupStore}
	lagScaled := 0
	for _, kind := range []string{"HorizontalPodAutoscaler", "ScaledObject"} {
		for name, a := range byKind[kind] {
			d, ok := byKind["Deployment"][a.Spec.ScaleTargetRef.Name]
			if !ok {
				t.Errorf("%s %s scales %s, which is not a Deployment", kind, name, a.Spec.ScaleTargetRef.Name)
				continue
			}
			for _, tr := range a.Spec.Triggers {
				m := tr.Metadata
				role := d.Spec.Template.Spec.Containers[0].Args[0]
				if tr.Type != "kafka" || groups[d.Metadata.Name] != m["consumerGroup"] || !slices.Contains(bus.Topics, m["topic"]) {
					t.Errorf("%s: trigger %s on group %q topic %q; %s consumes as %q", name, tr.Type, m["consumerGroup"], m["topic"], role, groups[d.Metadata.Name])
				}
				if m["bootstrapServers"] != strings.Join(brokers, ",") {
					t.Errorf("%s: bootstrapServers %s, the config says %v", name, m["bootstrapServers"], brokers)
				}
				lagScaled++
			}
		}
	}
	if lagScaled < 2 {
		t.Errorf("%d roles scale on consumer lag, want process and store", lagScaled)
	}
}
