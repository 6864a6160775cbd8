package ci

import (
	"errors"
	"strings"
	"testing"
)

func runEvent(conclusion, event, branch, headRepo string) Event {
	p, err := ParsePayload([]byte(`{"workflow_run":{"conclusion":"` + conclusion + `","event":"` + event +
		`","head_branch":"` + branch + `","head_sha":"abc123","head_repository":{"full_name":"` + headRepo + `"}}}`))
	if err != nil {
		panic(err)
	}
	return Event{Name: "workflow_run", Repository: "acme/phl-platform", Ref: MainRef, SHA: "def456", Payload: p}
}

func dispatch(ref, env string) Event {
	p, err := ParsePayload([]byte(`{"inputs":{"environment":"` + env + `"}}`))
	if err != nil {
		panic(err)
	}
	return Event{Name: "workflow_dispatch", Repository: "acme/phl-platform", Ref: ref, SHA: "f00d", Payload: p}
}

func TestGate(t *testing.T) {
	envs := map[string]string{"dev": "actions", "prod": "actions"}
	passed := CIPassed(func(string) (bool, error) { return true, nil })
	notPassed := func(string) (bool, error) { return false, nil }
	for _, c := range []struct {
		name    string
		e       Event
		ci      CIPassed
		deploy  bool
		env     string
		sha     string
		because string
	}{
		{"green push to main deploys dev", runEvent("success", "push", "main", "acme/phl-platform"), passed, true, "dev", "abc123", "ci passed"},
		{"failed ci", runEvent("failure", "push", "main", "acme/phl-platform"), passed, false, "", "", `concluded "failure"`},
		{"skipped ci", runEvent("skipped", "push", "main", "acme/phl-platform"), passed, false, "", "", `concluded "skipped"`},
		{"ci of a pull request", runEvent("success", "pull_request", "main", "acme/phl-platform"), passed, false, "", "", "pull_request event"},
		{"a fork's branch named main", runEvent("success", "push", "main", "mallory/phl-platform"), passed, false, "", "", "mallory/phl-platform, not this repository"},
		{"another branch", runEvent("success", "push", "feature", "acme/phl-platform"), passed, false, "", "", `branch "feature"`},
		{"manual prod from main", dispatch(MainRef, "prod"), passed, true, "prod", "f00d", "manual run"},
		{"manual from a branch", dispatch("refs/heads/feature", "prod"), passed, false, "", "", "only refs/heads/main deploys"},
		{"manual before ci passed", dispatch(MainRef, "dev"), notPassed, false, "", "", "ci has not passed for f00d"},
		{"another event", Event{Name: "push", Ref: MainRef}, passed, false, "", "", `event "push" does not deploy`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Gate(c.e, envs, c.ci)
			if err != nil {
				t.Fatal(err)
			}
			if d.Deploy != c.deploy || d.Environment != c.env || d.SHA != c.sha || !strings.Contains(d.Reason, c.because) {
				t.Errorf("Gate = %+v; want deploy %v env %q sha %q, reason with %q", d, c.deploy, c.env, c.sha, c.because)
			}
		})
	}
}

func TestGateSkipsAtlantisEnvironments(t *testing.T) {
	owners := map[string]string{"dev": "atlantis", "prod": "actions"}
	passed := CIPassed(func(string) (bool, error) { return true, nil })
	d, err := Gate(runEvent("success", "push", "main", "acme/phl-platform"), owners, passed)
	if err != nil || d.Deploy || !strings.Contains(d.Reason, "dev is applied by atlantis") {
		t.Errorf("Gate = %+v, %v", d, err)
	}
	if d, _ := Gate(dispatch(MainRef, "prod"), owners, passed); !d.Deploy {
		t.Errorf("prod, applied by actions: %+v", d)
	}
}

func TestGateErrors(t *testing.T) {
	envs := map[string]string{"dev": "actions", "prod": "actions"}
	ok := func(string) (bool, error) { return true, nil }
	if _, err := Gate(dispatch(MainRef, "staging"), envs, ok); err == nil || !strings.Contains(err.Error(), `"staging"`) {
		t.Errorf("unknown environment: %v", err)
	}
	if _, err := Gate(dispatch(MainRef, "dev"), envs, func(string) (bool, error) { return false, errors.New("gh: 401") }); err == nil || !strings.Contains(err.Error(), "gh: 401") {
		t.Errorf("a failing ci lookup must fail the gate, not skip it: %v", err)
	}
	if _, err := Gate(Event{Name: "workflow_run"}, envs, ok); err == nil {
		t.Error("workflow_run without payload accepted")
	}
	if _, err := ParsePayload([]byte("{")); err == nil {
		t.Error("bad JSON accepted")
	}
}
