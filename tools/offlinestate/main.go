// Command offlinestate writes the state file a producer stack's offline plan implies, for the
// offline plans of the stacks that read it through terraform_remote_state.
//
//	offlinestate -plan plan.json -account 111111111111 -region ap-southeast-1 -o outputs.tfstate
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/phl-platform/phl-platform/internal/offlinestate"
)

func main() {
	planPath := flag.String("plan", "", "producer's `terraform show -json` plan")
	account := flag.String("account", "", "account ID for placeholder ARNs")
	region := flag.String("region", "", "region for placeholder ARNs")
	out := flag.String("o", "", "state file to write")
	flag.Parse()
	if *planPath == "" || *out == "" || *account == "" || *region == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*planPath, *account, *region, *out); err != nil {
		fmt.Fprintln(os.Stderr, "offlinestate:", err)
		os.Exit(1)
	}
}

func run(planPath, account, region, out string) error {
	data, err := os.ReadFile(planPath)
	if err != nil {
		return err
	}
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("%s: %w", planPath, err)
	}
	st, err := offlinestate.FromPlan(&p, account, region)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
