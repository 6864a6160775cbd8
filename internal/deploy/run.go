package deploy

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/phl-platform/phl-platform/config"
)

// run is one deploy or destroy in progress.
type run struct {
	o   Options
	env *config.Environment
	t   Timeouts
	out *console
	r   *runner
	// tmp is a private folder (0700) for the kubeconfig and the registry credentials, removed
	// when the run ends, whatever way it ends.
	tmp      string
	phases   []phaseTime
	identity *callerIdentity
	// mu guards what parallel stacks record: outputs read and stacks initialized.
	mu      sync.Mutex
	outputs map[string]stackOutputs
	inited  map[string]bool
	// keptKeys are KMS keys the destroy leaves on purpose (they encrypt a final snapshot).
	keptKeys []string
}

type phaseTime struct {
	name string
	took time.Duration
	err  error
}

func newRun(o Options) (*run, error) {
	if o.Env == nil {
		return nil, errors.New("no environment")
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	tmp, err := os.MkdirTemp("", "phl-deploy-") // created 0700
	if err != nil {
		return nil, err
	}
	t := o.Timeouts.withDefaults()
	out := &console{w: o.Stdout}
	env := append(append([]string{}, o.environ()...),
		"AWS_PAGER=",           // the AWS CLI v2 would page output through less
		"TF_IN_AUTOMATION=1",   // no "run terraform apply next" hints
		"TF_INPUT=0",           // never prompt: a missing value is an error
		"CHECKPOINT_DISABLE=1", // no version check calls from Terraform
	)
	return &run{
		o: o, env: o.Env, t: t, out: out, tmp: tmp,
		r:       &runner{dir: o.Root, env: env, out: out, grace: t.Grace},
		outputs: map[string]stackOutputs{}, inited: map[string]bool{},
	}, nil
}

func (d *run) close() { _ = os.RemoveAll(d.tmp) }

// execute runs one verb (deploy, destroy, plan) of the environment and ends it, successful or
// not, with the time each phase took; its scratch directory goes on every path.
func execute(o Options, verb string, body func(d *run) error) (err error) {
	d, err := newRun(o)
	if err != nil {
		return err
	}
	defer d.close()
	defer func() { d.printPhases(verb, err) }()
	return body(d)
}

func (d *run) printf(format string, a ...any) { d.out.printf(format, a...) }

// phase runs one step of the run under a header and records how long it took.
func (d *run) phase(name string, fn func() error) error {
	d.printf("== %s\n", name)
	start := time.Now()
	err := fn()
	d.phases = append(d.phases, phaseTime{name: name, took: time.Since(start), err: err})
	return err
}

// printPhases ends every run, successful or not, with the time each phase took.
func (d *run) printPhases(verb string, err error) {
	var total time.Duration
	d.printf("\nphases of %s %s:\n", verb, d.env.Name)
	for _, p := range d.phases {
		total += p.took
		status := "ok"
		if p.err != nil {
			status = "FAILED"
		}
		d.printf("  %s%s %10s  %s\n", p.name, strings.Repeat(" ", max(0, 28-utf8.RuneCountInString(p.name))), p.took.Round(time.Millisecond), status)
	}
	d.printf("  %-28s %10s\n", "total", total.Round(time.Millisecond))
	if err != nil {
		d.printf("%s %s FAILED: %v\n", verb, d.env.Name, err)
	}
}

// stack is the directory of one synthesized stack, relative to the repository.
func (d *run) stackDir(component string) string {
	return "cdktf.out/stacks/" + d.env.StackName(component)
}

// sleep waits one poll interval, or returns the context's error.
func (d *run) sleep(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(d.t.Poll):
		return nil
	}
}

// parallel runs fn for every item at once, waits for all (a running apply is never cut short
// because its sibling failed: that would leave half-created resources), and returns every
// failure.
func parallel(items []string, fn func(string) error) error {
	errs := make([]error, len(items))
	done := make(chan int)
	for i, it := range items {
		go func() {
			errs[i] = fn(it)
			done <- i
		}()
	}
	for range items {
		<-done
	}
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}
