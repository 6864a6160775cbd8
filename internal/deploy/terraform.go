package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The deploy graph (stacks/app.go): each stage's stacks apply in parallel once the stage before
// has applied. gitops comes last, through the tunnel, and is not in this list.
var awsStages = [][]string{{"network"}, {"cluster", "database"}, {"gateway"}}

// terraform runs one Terraform command in a synthesized stack, its output prefixed with the
// stack's name. Plain Terraform (not `cdktf deploy`): stacks of a stage apply in parallel with
// separate output, and a saved plan is what gets applied, so a later CI path can apply reviewed
// plans the same way.
func (d *run) terraform(ctx context.Context, component string, env []string, args ...string) error {
	_, err := d.r.run(ctx, command{
		name: "terraform", args: append([]string{"-chdir=" + d.stackDir(component)}, args...),
		env: env, label: d.env.StackName(component),
	})
	return err
}

// apply initializes a stack, plans it into a file and applies exactly that plan.
func (d *run) apply(ctx context.Context, component string, env ...string) error {
	if err := d.init(ctx, component); err != nil {
		return err
	}
	plan := filepath.Join(d.o.Root, d.stackDir(component), "tfplan")
	// The plan file holds the planned values, secrets included: never left behind.
	defer os.Remove(plan)
	if err := d.terraform(ctx, component, env, "plan", "-input=false", "-out=tfplan", lockTimeout); err != nil {
		return err
	}
	return d.terraform(ctx, component, env, "apply", "-input=false", lockTimeout, "tfplan")
}

// init initializes a stack once per run (it may be needed by several phases).
func (d *run) init(ctx context.Context, component string) error {
	d.mu.Lock()
	done := d.inited[component]
	d.mu.Unlock()
	if done {
		return nil
	}
	if err := d.terraform(ctx, component, nil, "init", "-input=false"); err != nil {
		return err
	}
	d.mu.Lock()
	d.inited[component] = true
	d.mu.Unlock()
	return nil
}

func (d *run) destroy(ctx context.Context, component string, env ...string) error {
	if err := d.init(ctx, component); err != nil {
		return err
	}
	return d.terraform(ctx, component, env, "destroy", "-input=false", "-auto-approve", lockTimeout)
}

// stackOutputs are a stack's outputs (`terraform output -json`); empty when it has no state.
type stackOutputs struct {
	stack  string
	values map[string]json.RawMessage
}

// readOutputs reads (once) the outputs of an applied stack.
func (d *run) readOutputs(ctx context.Context, component string) (stackOutputs, error) {
	d.mu.Lock()
	o, ok := d.outputs[component]
	d.mu.Unlock()
	if ok {
		return o, nil
	}
	stack := d.env.StackName(component)
	raw, err := d.r.run(ctx, command{name: "terraform", args: []string{"-chdir=" + d.stackDir(component), "output", "-json"}, label: stack, capture: true})
	if err != nil {
		return stackOutputs{}, err
	}
	var doc map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return stackOutputs{}, fmt.Errorf("%s: terraform output -json: %v", stack, err)
	}
	o = stackOutputs{stack: stack, values: map[string]json.RawMessage{}}
	for k, v := range doc {
		o.values[k] = v.Value
	}
	d.mu.Lock()
	d.outputs[component] = o
	d.mu.Unlock()
	return o, nil
}

// applied reports whether the stack has state (any output).
func (o stackOutputs) applied() bool { return len(o.values) > 0 }

// str returns a string output.
func (o stackOutputs) str(name string) (string, error) {
	raw, ok := o.values[name]
	if !ok {
		return "", fmt.Errorf("%s: no output %q (is the stack applied?)", o.stack, name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%s: output %q is not a non-empty string: %s", o.stack, name, raw)
	}
	return s, nil
}

// strs returns several string outputs, or the first error.
func (o stackOutputs) strs(names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		v, err := o.str(n)
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}
