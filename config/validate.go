package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/phl-platform/phl-platform/internal/netcalc"
)

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^(cn|us-gov|[a-z]{2})-[a-z]+-[0-9]$`)
	bucketPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	tagKeyPattern    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
)

// validator turns a decoded file into an Environment, stopping at the first bad value.
type validator struct{ file string }

func (v validator) fail(key, value, problem, allowed string) error {
	return &Error{File: v.file, Key: key, Value: value, Problem: problem, Allowed: allowed}
}

func (v validator) environment(doc *fileDoc, fileName string) (*Environment, error) {
	prof, ok := profiles[doc.Name]
	switch {
	case doc.Name == "":
		return nil, v.fail("name", "", "required", knownNames())
	case !ok:
		return nil, v.fail("name", doc.Name, "unknown environment", knownNames())
	case doc.Name != fileName:
		return nil, v.fail("name", doc.Name, "does not match the file name", fileName)
	}
	env := &Environment{Name: doc.Name, SourceFile: v.file}

	if !accountIDPattern.MatchString(doc.AccountID) {
		return nil, v.fail("account_id", doc.AccountID, "not an AWS account ID", "12 digits, quoted")
	}
	env.AccountID = doc.AccountID

	if !regionPattern.MatchString(doc.Region) {
		return nil, v.fail("region", doc.Region, "not an AWS region name", "e.g. ap-southeast-1")
	}
	if p := partitionOf(doc.Region); p != "aws" {
		// The cluster's service principals, ViaService conditions and log-group principals are
		// written for the aws partition; rather than deploy something half-right elsewhere,
		// stop here.
		return nil, v.fail("region", doc.Region, "the "+p+" partition is not supported", "a region of the aws partition, e.g. ap-southeast-1")
	}
	env.Region = doc.Region
	env.Partition = partitionOf(doc.Region)

	azs, err := v.availabilityZones(doc.AvailabilityZones, doc.Region, prof)
	if err != nil {
		return nil, err
	}
	env.AvailabilityZones = azs

	if env.Network, err = v.network(doc.Network, prof); err != nil {
		return nil, err
	}
	if env.Cluster, err = v.cluster(doc.Cluster, prof); err != nil {
		return nil, err
	}
	if env.Database, err = v.database(doc.Database, prof); err != nil {
		return nil, err
	}
	if env.Gateway, err = v.gateway(doc.Gateway, prof, env); err != nil {
		return nil, err
	}
	if env.Gitops, err = v.gitops(doc.Gitops, prof); err != nil {
		return nil, err
	}
	if env.Delivery, err = v.delivery(doc.Delivery); err != nil {
		return nil, err
	}
	if env.StateBackend, err = v.stateBackend(doc.StateBackend, doc.Region); err != nil {
		return nil, err
	}
	if env.StateBackend == nil && prof.requireStateBackend {
		return nil, v.fail("state_backend.bucket", "", "required for this environment: its state holds the Cognito client secret and the record of its data", "an existing, versioned, encrypted S3 bucket name")
	}
	if env.Tags, err = v.tags(doc.Tags); err != nil {
		return nil, err
	}
	if env.Teardown, err = v.teardown(doc.Teardown, env.Name); err != nil {
		return nil, err
	}
	return env, nil
}

func (v validator) availabilityZones(azs []string, region string, prof profile) ([]string, error) {
	all := strings.Join(azs, ",")
	allowed := fmt.Sprintf("%d to %d zones of %s, e.g. %sa", prof.minAZs, netcalc.MaxAZs, region, region)
	if len(azs) < prof.minAZs || len(azs) > netcalc.MaxAZs {
		return nil, v.fail("availability_zones", all, fmt.Sprintf("%d zones given", len(azs)), allowed)
	}
	seen := map[string]bool{}
	for i, az := range azs {
		key := fmt.Sprintf("availability_zones[%d]", i)
		if !strings.HasPrefix(az, region) || len(az) != len(region)+1 || az[len(az)-1] < 'a' || az[len(az)-1] > 'z' {
			return nil, v.fail(key, az, "not a zone of region "+region, allowed)
		}
		if seen[az] {
			return nil, v.fail(key, az, "listed twice", allowed)
		}
		seen[az] = true
	}
	return slices.Clone(azs), nil
}

func (v validator) network(n fileNetwork, prof profile) (Network, error) {
	out := Network{}
	var err error
	if out.VpcCidr, err = v.prefix("network.vpc_cidr", n.VpcCidr, DefaultVpcCidr, netcalc.MinVpcBits, netcalc.MaxVpcBits); err != nil {
		return out, err
	}
	if !netcalc.WithinAny(out.VpcCidr, netcalc.RFC1918) {
		return out, v.fail("network.vpc_cidr", out.VpcCidr.String(), "not a private range", "inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
	}
	if out.PodCidr, err = v.prefix("network.pod_cidr", n.PodCidr, DefaultPodCidr, netcalc.MinPodBits, netcalc.MaxPodBits); err != nil {
		return out, err
	}
	if err := v.podCidr(out.PodCidr, out.VpcCidr); err != nil {
		return out, err
	}

	out.NatGatewayMode = prof.natModes[0]
	if n.NatGatewayMode != nil {
		out.NatGatewayMode = NatGatewayMode(*n.NatGatewayMode)
		if !slices.Contains(prof.natModes, out.NatGatewayMode) {
			return out, v.fail("network.nat_gateway_mode", *n.NatGatewayMode, "not allowed for this environment", joinModes(prof.natModes))
		}
	}

	out.FlowLogRetentionDays = max(DefaultFlowLogRetentionDays, prof.minLogRetDays)
	if n.FlowLogRetentionDays != nil {
		d := *n.FlowLogRetentionDays
		if !slices.Contains(logRetentionDays, d) || d < prof.minLogRetDays {
			return out, v.fail("network.flow_log_retention_days", strconv.Itoa(d), "not a CloudWatch Logs retention period for this environment", retentionChoices(prof.minLogRetDays))
		}
		out.FlowLogRetentionDays = d
	}

	seen := map[string]bool{}
	for i, e := range n.InterfaceEndpoints {
		key := fmt.Sprintf("network.interface_endpoints[%d]", i)
		if !slices.Contains(interfaceEndpoints, e) {
			return out, v.fail(key, e, "unknown interface endpoint", strings.Join(interfaceEndpoints, ", "))
		}
		if seen[e] {
			return out, v.fail(key, e, "listed twice", strings.Join(interfaceEndpoints, ", "))
		}
		seen[e] = true
		out.InterfaceEndpoints = append(out.InterfaceEndpoints, e)
	}
	return out, nil
}

// podCidr applies AWS's rules for a VPC's secondary range: RFC 6598 always; an RFC 1918
// range only in the same RFC 1918 block as the primary; never overlapping it.
func (v validator) podCidr(pod, vpc netip.Prefix) error {
	const allowed = "a range disjoint from network.vpc_cidr, inside 100.64.0.0/10 (RFC 6598) or the RFC 1918 block of vpc_cidr"
	if pod.Overlaps(vpc) {
		return v.fail("network.pod_cidr", pod.String(), "overlaps network.vpc_cidr "+vpc.String(), allowed)
	}
	if netcalc.Within(pod, netcalc.RFC6598) {
		return nil
	}
	for _, block := range netcalc.RFC1918 {
		if netcalc.Within(pod, block) && netcalc.Within(vpc, block) {
			return nil
		}
	}
	return v.fail("network.pod_cidr", pod.String(), "not usable as a secondary range of "+vpc.String(), allowed)
}

func (v validator) prefix(key string, value *string, def string, minBits, maxBits int) (netip.Prefix, error) {
	s := def
	if value != nil {
		s = *value
	}
	allowed := fmt.Sprintf("an IPv4 CIDR from /%d to /%d with no host bits set, e.g. %s", minBits, maxBits, def)
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return p, v.fail(key, s, "not an IPv4 CIDR", allowed)
	}
	if p.Masked() != p {
		return p, v.fail(key, s, "host bits are set (did you mean "+p.Masked().String()+"?)", allowed)
	}
	if p.Bits() < minBits || p.Bits() > maxBits {
		return p, v.fail(key, s, fmt.Sprintf("prefix length /%d is out of range", p.Bits()), allowed)
	}
	return p, nil
}

func (v validator) stateBackend(b *fileStateBackend, region string) (*StateBackend, error) {
	if b == nil || b.Bucket == "" {
		if b != nil && (b.Region != "" || b.KeyPrefix != "" || b.KmsKeyID != "") {
			return nil, v.fail("state_backend.bucket", "", "required when any other state_backend key is set", "an S3 bucket name")
		}
		return nil, nil
	}
	if !bucketPattern.MatchString(b.Bucket) || strings.Contains(b.Bucket, "..") {
		return nil, v.fail("state_backend.bucket", b.Bucket, "not an S3 bucket name", "3-63 lowercase letters, digits, dots and hyphens")
	}
	out := &StateBackend{Bucket: b.Bucket, Region: b.Region, KeyPrefix: b.KeyPrefix, KmsKeyID: b.KmsKeyID}
	if out.Region == "" {
		out.Region = region
	} else if !regionPattern.MatchString(out.Region) {
		return nil, v.fail("state_backend.region", b.Region, "not an AWS region name", "e.g. ap-southeast-1; defaults to region")
	}
	if out.KeyPrefix == "" {
		out.KeyPrefix = DefaultStateKeyPrefix
	} else if strings.HasPrefix(out.KeyPrefix, "/") || strings.HasSuffix(out.KeyPrefix, "/") {
		return nil, v.fail("state_backend.key_prefix", b.KeyPrefix, "must not start or end with /", "e.g. teams/platform")
	}
	return out, nil
}

func (v validator) tags(tags map[string]string) (map[string]string, error) {
	out := map[string]string{}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := tags[k]
		switch {
		case slices.Contains(reservedTags, k):
			return nil, v.fail("tags."+k, val, "set by the platform itself", "any key but "+strings.Join(reservedTags, ", "))
		case !tagKeyPattern.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "aws:"):
			return nil, v.fail("tags."+k, val, "not a valid tag key", "1-128 letters, digits, spaces and _.:/=+-@, not starting with aws:")
		case len(val) > 256:
			return nil, v.fail("tags."+k, val, "value longer than 256 characters", "at most 256 characters")
		}
		out[k] = val
	}
	return out, nil
}

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func knownNames() string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func joinModes(modes []NatGatewayMode) string {
	s := make([]string, len(modes))
	for i, m := range modes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

func retentionChoices(minDays int) string {
	var s []string
	for _, d := range logRetentionDays {
		if d >= minDays {
			s = append(s, strconv.Itoa(d))
		}
	}
	return strings.Join(s, ", ")
}
