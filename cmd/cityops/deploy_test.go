package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/dispatch/taskapi"
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
func roleConfig(t *testing.T, file string, env map[string]string) role.Config {
	t.Helper()
	c, _, err := loadConfig(file, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("%s with %v: %v", file, env, err)
	}
	return c
}

// rolePort is the port a role serves /metrics and its probes on.
func rolePort(t *testing.T, role string, c role.Config) string {
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
	raw, err := os.ReadFile(filepath.Join(deployDir, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dotenv := composeDotEnv(t)
	ports := map[string]string{} // service -> metrics port
	flagsOf := map[string]map[string]string{}
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
		if s.Build == nil || len(s.Command) == 0 {
			continue
		}
		role := s.Command[0]
		if _, ok := commands[role]; !ok {
			t.Errorf("%s runs `cityops %s`, which is not a command", name, role)
			continue
		}
		spec := roleFlags(t, role)
		flagsOf[name] = checkArgs(t, name, role, s.Command[1:])
		for k, v := range s.Environment {
			if !spec.env[k] && !goRuntimeEnv[k] && k != "CITYOPS_CONFIG" {
				t.Errorf("%s sets %s, which cityops %s does not read", name, k, role)
			}
			for _, m := range composeVar.FindAllStringSubmatch(v, -1) {
				if _, ok := dotenv[m[1]]; !ok {
					t.Errorf("%s: %s takes ${%s}, which .env.example does not define", name, k, m[1])
				}
			}
		}
		// The secrets a role refuses to start without come from the
		// environment of whoever runs compose (.env), required: never a
		// value written in this file.
		for _, sec := range secrets {
			if _, has := spec.flags[sec.flag]; has && !strings.HasPrefix(s.Environment[sec.env], "${"+sec.env+":?") {
				t.Errorf("%s: cityops %s needs %s; set %s to ${%s:?...}, from deploy/.env", name, role, sec.key, sec.env, sec.env)
			}
		}
		if cfg := s.Environment["CITYOPS_CONFIG"]; cfg != "" {
			env := copyEnv(s.Environment)
			env["CITYOPS_CONFIG"] = ""
			for k, v := range env {
				if strings.HasPrefix(v, "${") { // from the shell of whoever runs compose
					env[k] = ""
				}
			}
			ports[name] = servedPort(t, role, roleConfig(t, filepath.Join(deployDir, "compose/cityops.yml"), env), flagsOf[name])
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
	// Web serves the dispatcher's tasks API on its own origin.
	if u, err := url.Parse(flagsOf["web"]["tasks"]); err != nil || u.Scheme != "http" || len(f.Services[u.Hostname()].Command) == 0 ||
		f.Services[u.Hostname()].Command[0] != "dispatch" || ports[u.Hostname()] != u.Port() {
		t.Errorf("web: --tasks %q is not where the dispatch service serves its tasks API (port %s)", flagsOf["web"]["tasks"], ports["dispatch"])
	}
	// Every variable .env.example defines is one the file takes.
	for k := range dotenv {
		if !strings.Contains(string(raw), "${"+k) {
			t.Errorf(".env.example defines %s, which docker-compose.yml does not use", k)
		}
	}
	if b, err := os.ReadFile("../../.gitignore"); err != nil || !regexp.MustCompile(`(?m)^/?deploy/\.env$`).Match(b) {
		t.Errorf(".gitignore does not keep deploy/.env, which holds the secrets, out of git (%v)", err)
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

// composeVar matches ${NAME...}, a variable Compose takes from the
// environment or .env.
var composeVar = regexp.MustCompile(`\$\{(\w+)`)

// composeDotEnv reads deploy/.env.example: the variables the compose file's
// ${...} take, as a .env defines them.
func composeDotEnv(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Errorf(".env.example: %q is no NAME=value", l)
		}
		vars[k] = v
	}
	return vars
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
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Selector yaml.Node `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    int   `yaml:"runAsUser"`
					FSGroup      int   `yaml:"fsGroup"`
				} `yaml:"securityContext"`
				Containers []k8sContainer `yaml:"containers"`
				Volumes    []struct {
					Name      string `yaml:"name"`
					ConfigMap struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
					Secret struct {
						SecretName string `yaml:"secretName"`
					} `yaml:"secret"`
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

type k8sContainer struct {
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom struct {
			SecretKeyRef *struct {
				Name     string `yaml:"name"`
				Key      string `yaml:"key"`
				Optional bool   `yaml:"optional"`
			} `yaml:"secretKeyRef"`
			FieldRef *struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	StartupProbe    k8sProbe `yaml:"startupProbe"`
	ReadinessProbe  k8sProbe `yaml:"readinessProbe"`
	LivenessProbe   k8sProbe `yaml:"livenessProbe"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

// readYAMLObjects reads every document of the files.
func readYAMLObjects(t *testing.T, files ...string) []k8sObject {
	t.Helper()
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

func readManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	return readYAMLObjects(t, files...)
}

// exampleSecrets reads deploy/k8s/example/secrets.yaml: secret name -> its
// keys and values.
func exampleSecrets(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, o := range readYAMLObjects(t, filepath.Join(deployDir, "k8s/example/secrets.yaml")) {
		if o.Kind != "Secret" {
			t.Errorf("example/secrets.yaml holds a %s", o.Kind)
			continue
		}
		out[o.Metadata.Name] = map[string]string{}
		for k, v := range o.StringData {
			out[o.Metadata.Name][k] = v
		}
		for k, v := range o.Data {
			out[o.Metadata.Name][k] = v
		}
	}
	return out
}

// envRef matches $(NAME), which Kubernetes expands in args from env.
var envRef = regexp.MustCompile(`\$\((\w+)\)`)

func TestKubernetesManifests(t *testing.T) {
	objs := readManifests(t)
	byKind := map[string]map[string]k8sObject{}
	for _, o := range objs {
		if byKind[o.Kind] == nil {
			byKind[o.Kind] = map[string]k8sObject{}
		}
		byKind[o.Kind][o.Metadata.Name] = o
	}
	if len(byKind["Secret"]) > 0 {
		t.Errorf("deploy/k8s applies Secrets %v: keep examples in k8s/example, never applied with the rest", slices.Collect(maps.Keys(byKind["Secret"])))
	}
	secretsEx := exampleSecrets(t)
	cm, ok := byKind["ConfigMap"]["cityops-config"]
	if !ok {
		t.Fatal("no ConfigMap cityops-config")
	}
	cfgFile := filepath.Join(t.TempDir(), "cityops.yml")
	if err := os.WriteFile(cfgFile, []byte(cm.Data["cityops.yml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile")); err != nil || !regexp.MustCompile(`(?m)^USER 10001$`).Match(b) {
		t.Errorf("the image does not run as uid 10001, which the pods' securityContext names (%v)", err)
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
	servedAt := map[string]string{} // workload -> port of its HTTP server
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
		pod := d.Spec.Template.Spec
		if len(pod.Containers) != 1 {
			t.Fatalf("%s: %d containers", name, len(pod.Containers))
		}
		c := pod.Containers[0]
		if !pinnedImage.MatchString(c.Image) {
			t.Errorf("%s: image %q is not pinned", name, c.Image)
		}
		if len(c.Args) == 0 {
			t.Fatalf("%s: no args", name)
		}
		role := c.Args[0]
		roles[role] = true
		if _, ok := commands[role]; !ok {
			t.Fatalf("%s runs `cityops %s`, which is not a command", name, role)
		}
		spec := roleFlags(t, role)
		flags := checkArgs(t, name, role, c.Args[1:])

		// The environment: what the role reads, Go's runtime, or what args
		// expand; secrets only from the example's Secrets.
		env, defined := map[string]string{}, map[string]bool{}
		expanded := map[string]bool{}
		for _, a := range c.Args {
			for _, m := range envRef.FindAllStringSubmatch(a, -1) {
				expanded[m[1]] = true
			}
		}
		fromSecret := map[string]bool{} // variables set from a required Secret key
		for _, e := range c.Env {
			defined[e.Name] = true
			if !spec.env[e.Name] && !goRuntimeEnv[e.Name] && !expanded[e.Name] {
				t.Errorf("%s sets %s, which cityops %s does not read", name, e.Name, role)
			}
			if ref := e.ValueFrom.SecretKeyRef; ref != nil {
				if _, ok := secretsEx[ref.Name][ref.Key]; !ok {
					t.Errorf("%s: %s from the Secret %s key %s, which example/secrets.yaml does not define", name, e.Name, ref.Name, ref.Key)
				}
				fromSecret[e.Name] = !ref.Optional
			}
			if strings.HasPrefix(e.Name, "CITYOPS_") {
				env[e.Name] = ""
			}
		}
		for v := range expanded {
			if !defined[v] {
				t.Errorf("%s: args use $(%s), which env does not define", name, v)
			}
		}
		// The secrets a role refuses to start without come from a Secret,
		// the same for every replica, never made up per pod.
		for _, s := range secrets {
			if _, has := spec.flags[s.flag]; has && !fromSecret[s.env] {
				t.Errorf("%s: cityops %s needs %s; set %s from a required key of a Secret", name, role, s.key, s.env)
			}
		}

		// Mounts: the config from the ConfigMap, anything else secret from
		// a Secret the example defines.
		mounts := map[string]string{} // mount path -> ConfigMap or Secret name
		for _, m := range c.VolumeMounts {
			for _, v := range pod.Volumes {
				if v.Name != m.Name {
					continue
				}
				if v.Secret.SecretName != "" {
					if _, ok := secretsEx[v.Secret.SecretName]; !ok {
						t.Errorf("%s mounts the Secret %s, which example/secrets.yaml does not define", name, v.Secret.SecretName)
					}
					mounts[m.MountPath] = "secret/" + v.Secret.SecretName
				} else {
					mounts[m.MountPath] = "configmap/" + v.ConfigMap.Name
				}
			}
		}
		if cfg := flags["config"]; mounts[filepath.Dir(cfg)] != "configmap/cityops-config" || filepath.Base(cfg) != "cityops.yml" {
			t.Errorf("%s: --config %q is not the mounted ConfigMap", name, cfg)
		}
		if tk, ok := flags["tokens"]; ok {
			sec, isSecret := strings.CutPrefix(mounts[filepath.Dir(tk)], "secret/")
			if _, hasKey := secretsEx[sec][filepath.Base(tk)]; !isSecret || !hasKey {
				t.Errorf("%s: --tokens %s is not a key of a mounted Secret", name, tk)
			}
		}

		// Where it serves, and its probes there, on paths it serves.
		port := servedPort(t, role, roleConfig(t, cfgFile, env), flags)
		servedAt[name] = port
		named := map[string]string{}
		for _, p := range c.Ports {
			named[p.Name] = strconv.Itoa(p.ContainerPort)
		}
		for _, probe := range []struct {
			kind string
			p    k8sProbe
			want string
		}{{"startup", c.StartupProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}, {"liveness", c.LivenessProbe, "/healthz"}} {
			g := probe.p.HTTPGet
			if g.Path != probe.want {
				t.Errorf("%s: %s probe on %q, want %s", name, probe.kind, g.Path, probe.want)
			}
			if g.Path == "" || !servesPath(t, role, g.Path) {
				t.Errorf("%s: %s probe on %q, which cityops %s does not serve", name, probe.kind, g.Path, role)
			}
			if named[g.Port] != port {
				t.Errorf("%s: %s probe on port %q (%s); the role serves on %s", name, probe.kind, g.Port, named[g.Port], port)
			}
		}
		if a := d.Spec.Template.Metadata.Annotations; a["prometheus.io/port"] != port || a["prometheus.io/path"] != "/metrics" {
			t.Errorf("%s: scraped on %s%s, metrics are on port %s", name, a["prometheus.io/port"], a["prometheus.io/path"], port)
		}

		// Never root, nothing written to the image, no capabilities.
		psc, csc := pod.SecurityContext, c.SecurityContext
		if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser != 10001 || psc.FSGroup != 10001 {
			t.Errorf("%s: pod securityContext %+v, want runAsNonRoot, runAsUser and fsGroup 10001 (the image's user)", name, psc)
		}
		if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation || !csc.ReadOnlyRootFilesystem || !slices.Contains(csc.Capabilities.Drop, "ALL") {
			t.Errorf("%s: container securityContext %+v, want no privilege escalation, a read-only root and every capability dropped", name, csc)
		}

		// The dispatchers tell each other where they are: the pod's IP on
		// the port they serve.
		if role == "dispatch" {
			adv := flags["advertise"]
			ipVar := ""
			for _, e := range c.Env {
				if f := e.ValueFrom.FieldRef; f != nil && f.FieldPath == "status.podIP" {
					ipVar = e.Name
				}
			}
			if ipVar == "" || adv != "http://$("+ipVar+"):"+port {
				t.Errorf("%s: --advertise %q; want http://$(VAR):%s with VAR the pod's IP (fieldRef status.podIP)", name, adv, port)
			}
		}
	}
	for _, role := range []string{"ingest", "process", "store", "dispatch", "web", "mqtt"} {
		if !roles[role] {
			t.Errorf("no Deployment or StatefulSet runs %s", role)
		}
	}

	// Services: each selects a Deployment and targets a port it names.
	serviceOf := map[string]struct { // Service:port -> Deployment and its port
		deployment, port string
	}{}
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
				i := slices.IndexFunc(d.Spec.Template.Spec.Containers[0].Ports, func(cp struct {
					Name          string `yaml:"name"`
					ContainerPort int    `yaml:"containerPort"`
				}) bool {
					return cp.Name == p.TargetPort
				})
				if i < 0 {
					t.Errorf("Service %s targets port %s, which %s does not name", name, p.TargetPort, d.Metadata.Name)
					continue
				}
				serviceOf[net.JoinHostPort(name, strconv.Itoa(p.Port))] = struct{ deployment, port string }{
					d.Metadata.Name, strconv.Itoa(d.Spec.Template.Spec.Containers[0].Ports[i].ContainerPort)}
			}
		}
		if !found {
			t.Errorf("Service %s selects no Deployment or StatefulSet", name)
		}
	}

	// Web serves the tasks API through the dispatchers' Service, and reads
	// the same tokens they check.
	web, ok := byKind["Deployment"]["cityops-web"]
	if !ok {
		t.Fatal("no Deployment cityops-web")
	}
	wflags := checkArgs(t, "cityops-web", "web", web.Spec.Template.Spec.Containers[0].Args[1:])
	u, err := url.Parse(wflags["tasks"])
	if err != nil || u.Scheme != "http" {
		t.Errorf("web: --tasks %q, want the URL of the dispatchers' Service", wflags["tasks"])
	} else if s, ok := serviceOf[u.Host]; !ok || byKind["Deployment"][s.deployment].Spec.Template.Spec.Containers[0].Args[0] != "dispatch" || servedAt[s.deployment] != s.port {
		t.Errorf("web: --tasks %s is not a Service port that reaches the dispatchers' tasks API (%v)", wflags["tasks"], s)
	}
	dflags := checkArgs(t, "cityops-dispatch", "dispatch", byKind["Deployment"]["cityops-dispatch"].Spec.Template.Spec.Containers[0].Args[1:])
	if wflags["tokens"] == "" || filepath.Base(wflags["tokens"]) != filepath.Base(dflags["tokens"]) {
		t.Errorf("web reads tokens %q, the dispatchers %q: want the same Secret key", wflags["tokens"], dflags["tokens"])
	}
	// The example tokens are mounted read-only: they must hold the
	// inspectors, which the dispatcher would otherwise write into them.
	var tk taskapi.Tokens
	if err := json.Unmarshal([]byte(secretsEx["cityops-tokens"][filepath.Base(dflags["tokens"])]), &tk); err != nil || tk.Center == "" || len(tk.Inspectors) == 0 || len(tk.Departments) == 0 {
		t.Errorf("example tokens %+v (%v): want a center, inspectors and departments", tk, err)
	}

	// Lag-based scaling watches groups that exist, on the topics they
	// consume, for every group of the role.
	brokers := roleConfig(t, cfgFile, nil).Kafka.Brokers
	lagScaled := map[string]bool{}
	for _, kind := range []string{"HorizontalPodAutoscaler", "ScaledObject"} {
		for name, a := range byKind[kind] {
			d, ok := byKind["Deployment"][a.Spec.ScaleTargetRef.Name]
			if !ok {
				t.Errorf("%s %s scales %s, which is not a Deployment", kind, name, a.Spec.ScaleTargetRef.Name)
				continue
			}
			role := d.Spec.Template.Spec.Containers[0].Args[0]
			watched := map[string]bool{}
			for _, tr := range a.Spec.Triggers {
				m := tr.Metadata
				g := m["consumerGroup"]
				switch {
				case tr.Type != "kafka":
					t.Errorf("%s: trigger %s", name, tr.Type)
				case !knownGroup(g):
					t.Errorf("%s: consumer group %q is none of bus's groups", name, g)
				case roleGroups[role][g] == "":
					t.Errorf("%s: consumer group %q is not one cityops %s commits as (%v)", name, g, role, roleGroups[role])
				case roleGroups[role][g] != m["topic"]:
					t.Errorf("%s: group %s on topic %q; it consumes %s", name, g, m["topic"], roleGroups[role][g])
				}
				if m["bootstrapServers"] != strings.Join(brokers, ",") {
					t.Errorf("%s: bootstrapServers %s, the config says %v", name, m["bootstrapServers"], brokers)
				}
				watched[g] = true
			}
			if len(a.Spec.Triggers) > 0 {
				lagScaled[role] = true
				for g := range roleGroups[role] {
					if !watched[g] {
						t.Errorf("%s: no trigger on %s, which %s also commits as", name, g, role)
					}
				}
			}
		}
	}
	if !lagScaled["process"] || !lagScaled["store"] {
		t.Errorf("roles scaled on consumer lag: %v, want process and store", lagScaled)
	}
}

// TestDockerComposeConfig has Compose itself read the file with the example
// .env: Debian's docker-compose (v1, 1.29) and `docker compose` (v2) where
// they are installed. Each is skipped where it is not.
func TestDockerComposeConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"v1", []string{"docker-compose"}},
		{"v2", []string{"docker", "compose"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if out, err := exec.Command(c.argv[0], append(c.argv[1:], "version")...).CombinedOutput(); err != nil {
				t.Skipf("no %s: %v %s", strings.Join(c.argv, " "), err, bytes.TrimSpace(out))
			}
			args := append(c.argv[1:], "--env-file", filepath.Join(deployDir, ".env.example"), "-f", filepath.Join(deployDir, "docker-compose.yml"), "config", "-q")
			cmd := exec.Command(c.argv[0], args...)
			cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CITYOPS_") })
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", c.argv[0], strings.Join(args, " "), err, out)
			}
			// Without the secrets, Compose refuses to start and says which.
			cmd = exec.Command(c.argv[0], append(c.argv[1:], "-f", filepath.Join(deployDir, "docker-compose.yml"), "config", "-q")...)
			cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CITYOPS_") })
			if out, err := cmd.CombinedOutput(); err == nil || !regexp.MustCompile(`set CITYOPS_[A-Z_]+ in deploy/\.env`).Match(out) {
				t.Errorf("compose config without the secrets: %v\n%s", err, out)
			}
		})
	}
}
