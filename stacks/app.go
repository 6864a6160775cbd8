package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/phl-platform/phl-platform/config"
)

// Environment holds one environment's stacks. Deploy graph: network → (cluster ∥ database);
// cluster → gateway; (network, cluster, database, gateway) → gitops. The database reads only the network, so
// it is applied while the cluster is.
type Environment struct {
	Network  *NetworkStack
	Cluster  *ClusterStack
	Database *DatabaseStack
	Gateway  *GatewayStack
	Gitops   *GitopsStack
}

// Build adds every stack of an environment to the app.
func Build(scope constructs.Construct, env *config.Environment, art Artifacts) *Environment {
	net := NewNetworkStack(scope, env)
	cl := NewClusterStack(scope, env, net.Network)
	db := NewDatabaseStack(scope, env, net.Network)
	gw := NewGatewayStack(scope, env, net.Network, cl.Cluster)
	ops := NewGitopsStack(scope, env, art, net.Network, cl.Cluster, db.Database, gw.Gateway)
	return &Environment{Network: net, Cluster: cl, Database: db, Gateway: gw, Gitops: ops}
}
