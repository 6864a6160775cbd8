package config

import (
	"os"
	"strconv"
)

// TeardownConfirmVar names the environment variable that must equal the environment's name
// for a file with `teardown: true` to load: the switch lifts the database's deletion
// protection, so it never takes effect by a committed line alone (CI deploys do not set it;
// `make destroy ENV=<env> CONFIRM=<env>` does).
const TeardownConfirmVar = "PHL_CONFIRM_TEARDOWN"

// teardown validates the top-level `teardown` switch. On, the database stack is synthesized
// without deletion protection (a final snapshot is still taken where config requires one), so
// `make destroy` can remove it.
func (v validator) teardown(on *bool, envName string) (bool, error) {
	if on == nil || !*on {
		return false, nil
	}
	if got := os.Getenv(TeardownConfirmVar); got != envName {
		return false, v.fail("teardown", strconv.FormatBool(*on),
			"lifts the database's deletion protection for a teardown; refused unless "+TeardownConfirmVar+"="+envName+" (it is "+strconv.Quote(got)+")",
			"false (or leave it out); true only with "+TeardownConfirmVar+"="+envName+", which make destroy ENV="+envName+" CONFIRM="+envName+" sets")
	}
	return true, nil
}
