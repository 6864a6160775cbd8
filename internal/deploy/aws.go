package deploy

import (
	"context"
	"encoding/json"
	"fmt"
)

// aws runs an AWS CLI command in the environment's region and returns its JSON answer.
func (d *run) aws(ctx context.Context, args ...string) ([]byte, error) {
	return d.r.run(ctx, command{name: "aws", args: append(args, "--region", d.env.Region, "--output", "json"), capture: true})
}

// awsJSON runs an AWS CLI command and decodes its answer into v.
func (d *run) awsJSON(ctx context.Context, v any, args ...string) error {
	out, err := d.aws(ctx, args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("aws %s %s: unexpected answer %q: %v", args[0], args[1], firstLine(out), err)
	}
	return nil
}
