package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/phl-platform/phl-platform/config"
)

// Environment holds one environment's stacks.
type Environment struct {
	Network *NetworkStack
	Cluster *ClusterStack
}

// Build adds every stack of an environment to the app.
func Build(scope constructs.Construct, env *config.Environment) *Environment {
	net := NewNetworkStack(scope, env)
	return &Environment{Network: net, Cluster: NewClusterStack(scope, env, net.Network)}
}
