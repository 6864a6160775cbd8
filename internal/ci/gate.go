// Package ci holds the decisions the GitHub workflows take, as tested Go rather than inline
// YAML: whether a deploy runs (gate), which stacks a pull request changes (changed), and the
// plan comment (comment).
package ci

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// MainRef is the only ref that deploys.
const MainRef = "refs/heads/main"

// AutoDeployEnvironment is the environment a green push to main deploys on its own; every
// other environment is deployed by a manual run (behind its GitHub environment's reviewers).
const AutoDeployEnvironment = "dev"

// Event is what the gate reads of a workflow run: GITHUB_EVENT_NAME, GITHUB_REPOSITORY,
// GITHUB_REF, GITHUB_SHA and the event payload (GITHUB_EVENT_PATH).
type Event struct {
	Name       string
	Repository string
	Ref        string
	SHA        string
	Payload    Payload
}

// Payload is the part of a workflow_run or workflow_dispatch payload the gate reads.
type Payload struct {
	WorkflowRun *struct {
		Conclusion     string `json:"conclusion"`
		Event          string `json:"event"`
		HeadBranch     string `json:"head_branch"`
		HeadSHA        string `json:"head_sha"`
		HeadRepository struct {
			FullName string `json:"full_name"`
		} `json:"head_repository"`
	} `json:"workflow_run"`
	Inputs struct {
		Environment string `json:"environment"`
	} `json:"inputs"`
}

// ParsePayload reads an event payload.
func ParsePayload(data []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("event payload: %w", err)
	}
	return p, nil
}

// Decision is the gate's answer: deploy SHA to Environment, or not, and why.
type Decision struct {
	Deploy      bool
	Environment string
	SHA         string
	Reason      string
}

// CIPassed tells whether the ci workflow concluded success for a push of sha to main.
type CIPassed func(sha string) (bool, error)

// Gate decides whether a deploy runs. It deploys only
//   - after the ci workflow concluded success for a push to main of this repository (not a
//     fork's branch that happens to be called main): AutoDeployEnvironment, that exact commit;
//   - on a manual run from main, to the chosen environment, when ci passed for the commit.
//
// Everything else is "no deploy", which the workflow turns into a skipped deploy job: such a
// run never enters the deploy job's concurrency group, so it cannot cancel a pending deploy.
//
// owners maps each environment to the tool that applies it (delivery.applies_by): an
// environment Atlantis applies is never deployed by the workflow.
func Gate(e Event, owners map[string]string, ciPassed CIPassed) (Decision, error) {
	d, err := gate(e, owners, ciPassed)
	if err == nil && d.Deploy && owners[d.Environment] != "actions" {
		return no("%s is applied by %s (delivery.applies_by), not by this workflow", d.Environment, owners[d.Environment]), nil
	}
	return d, err
}

func gate(e Event, owners map[string]string, ciPassed CIPassed) (Decision, error) {
	switch e.Name {
	case "workflow_run":
		r := e.Payload.WorkflowRun
		switch {
		case r == nil:
			return Decision{}, fmt.Errorf("workflow_run event without a workflow_run payload")
		case r.Conclusion != "success":
			return no("ci concluded %q, not success", r.Conclusion), nil
		case r.Event != "push":
			return no("ci ran for a %s event, not a push", r.Event), nil
		case r.HeadRepository.FullName != e.Repository:
			return no("ci ran for %s, not this repository %s", r.HeadRepository.FullName, e.Repository), nil
		case r.HeadBranch != "main":
			return no("ci ran for branch %q, not main", r.HeadBranch), nil
		case r.HeadSHA == "":
			return Decision{}, fmt.Errorf("workflow_run payload without head_sha")
		}
		return Decision{Deploy: true, Environment: AutoDeployEnvironment, SHA: r.HeadSHA,
			Reason: "ci passed for push " + r.HeadSHA + " to main"}, nil
	case "workflow_dispatch":
		env := e.Payload.Inputs.Environment
		switch {
		case e.Ref != MainRef:
			return no("a manual run from %s: only %s deploys", e.Ref, MainRef), nil
		case owners[env] == "":
			return Decision{}, fmt.Errorf("environment input %q: want one of %v", env, slices.Sorted(maps.Keys(owners)))
		case e.SHA == "":
			return Decision{}, fmt.Errorf("GITHUB_SHA is empty")
		}
		ok, err := ciPassed(e.SHA)
		if err != nil {
			return Decision{}, fmt.Errorf("asking whether ci passed for %s: %w", e.SHA, err)
		}
		if !ok {
			return no("ci has not passed for %s on main", e.SHA), nil
		}
		return Decision{Deploy: true, Environment: env, SHA: e.SHA,
			Reason: "manual run from main, ci passed for " + e.SHA}, nil
	}
	return no("event %q does not deploy", e.Name), nil
}

func no(format string, a ...any) Decision {
	return Decision{Reason: fmt.Sprintf(format, a...)}
}
