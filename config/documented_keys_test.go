package config

import (
	"slices"
	"testing"
)

func TestKeysListEveryFileKey(t *testing.T) {
	keys := Keys()
	for _, want := range []string{"name", "network.vpc_cidr", "cluster.node_group.size", "gateway.custom_domain.hosted_zone_id", "tags", "teardown", "state_backend.kms_key_id"} {
		if !slices.Contains(keys, want) {
			t.Errorf("Keys() lacks %s: %v", want, keys)
		}
	}
	if b := BootstrapKeys(); !slices.Contains(b, "accounts[].state_in_bucket") || !slices.Contains(b, "github_repository") {
		t.Errorf("BootstrapKeys() = %v", b)
	}
}
