package deploy

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// tunnelGrace: the SSM session and its session-manager-plugin end at once on SIGTERM.
const tunnelGrace = 5 * time.Second

// tunnel is an SSM port forward from 127.0.0.1:port to the private API endpoint through one of
// the cluster's nodes (AWS-StartPortForwardingSessionToRemoteHost), the same as
// scripts/eks-tunnel.sh, with retries and a guaranteed teardown.
type tunnel struct {
	port   int
	host   string // the endpoint's host name: the TLS server name through the tunnel
	proc   *process
	out    *console
	closed bool
}

func (t *tunnel) url() string { return fmt.Sprintf("https://127.0.0.1:%d", t.port) }

// close ends the session and its session-manager-plugin child (the whole process group);
// safe to call more than once.
func (t *tunnel) close() {
	if t == nil || t.proc == nil || t.closed {
		return
	}
	t.closed = true
	t.proc.stop()
	t.out.printf("tunnel: closed\n")
}

// openTunnel waits until a node of the cluster is online in SSM, starts the port forward and
// waits until the local port accepts connections. The caller closes it on every path.
func (d *run) openTunnel(ctx context.Context, endpoint string) (*tunnel, error) {
	deadline := time.Now().Add(d.t.Tunnel)
	node, err := d.waitForNode(ctx, deadline)
	if err != nil {
		return nil, err
	}
	port := d.o.TunnelPort
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, fmt.Errorf("tunnel: no free local port: %v", err)
		}
	}
	host := strings.TrimSuffix(strings.TrimPrefix(endpoint, "https://"), "/")
	proc, err := d.r.start(command{name: "aws", label: "tunnel", args: []string{
		"ssm", "start-session", "--region", d.env.Region, "--target", node,
		"--document-name", "AWS-StartPortForwardingSessionToRemoteHost",
		"--parameters", fmt.Sprintf("host=%s,portNumber=443,localPortNumber=%d", host, port),
	}}, tunnelGrace)
	if err != nil {
		return nil, err
	}
	t := &tunnel{port: port, host: host, proc: proc, out: d.out}
	d.printf("tunnel: 127.0.0.1:%d -> %s:443 through %s\n", port, host, node)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	step := min(d.t.Poll, 500*time.Millisecond)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return t, nil
		}
		switch {
		case proc.exited():
			t.close()
			return nil, fmt.Errorf("tunnel: the SSM session ended before %s accepted connections: %s", addr, proc.out.last)
		case time.Now().After(deadline):
			t.close()
			return nil, fmt.Errorf("tunnel: %s did not accept connections within %s", addr, d.t.Tunnel)
		}
		select {
		case <-ctx.Done():
			t.close()
			return nil, fmt.Errorf("tunnel: %w", context.Cause(ctx))
		case <-time.After(step):
		}
	}
}

// waitForNode returns a running node of the cluster's node group whose SSM agent is online,
// polling until the deadline (nodes register with SSM a few minutes after the cluster stack).
func (d *run) waitForNode(ctx context.Context, deadline time.Time) (string, error) {
	cluster := d.env.ClusterName()
	last := ""
	for {
		node, status, err := d.onlineNode(ctx, cluster)
		if err == nil && node != "" {
			return node, nil
		}
		if err != nil {
			status = err.Error()
		}
		if status != last {
			d.printf("tunnel: waiting for a node of %s online in SSM: %s\n", cluster, status)
			last = status
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("tunnel: no node of %s was online in SSM within %s (%s): check the node group and its SSM agent (Bottlerocket's control container)", cluster, d.t.Tunnel, status)
		}
		if err := d.sleep(ctx); err != nil {
			return "", fmt.Errorf("tunnel: %w", err)
		}
	}
}

func (d *run) onlineNode(ctx context.Context, cluster string) (node, status string, err error) {
	// EKS tags its node group's instances eks:cluster-name (Karpenter's carry eks:eks-cluster-name).
	var ids []string
	if err := d.awsJSON(ctx, &ids, "ec2", "describe-instances",
		"--filters", "Name=tag:eks:cluster-name,Values="+cluster, "Name=instance-state-name,Values=running",
		"--query", "Reservations[].Instances[].InstanceId"); err != nil {
		return "", "", err
	}
	if len(ids) == 0 {
		return "", "no running node", nil
	}
	var online []string
	if err := d.awsJSON(ctx, &online, "ssm", "describe-instance-information",
		"--filters", "Key=InstanceIds,Values="+strings.Join(ids, ","),
		"--query", "InstanceInformationList[?PingStatus=='Online'].InstanceId"); err != nil {
		return "", "", err
	}
	if len(online) == 0 {
		return "", fmt.Sprintf("%d running, none online yet", len(ids)), nil
	}
	sort.Strings(online)
	return online[0], "", nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
