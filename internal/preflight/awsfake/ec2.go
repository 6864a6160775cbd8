package awsfake

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// ec2 answers EC2's query protocol: a form POST with Action, an <ActionResponse> whose lists
// are <item> elements, and <Response><Errors> on failure.
func (q *request) ec2() {
	if err := q.r.ParseForm(); err != nil {
		q.ec2Error(http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	action := q.r.Form.Get("Action")
	if q.record("ec2:"+action, "*") {
		q.ec2Error(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. (ec2:"+action+")")
		return
	}
	f := filters(q.r.Form)
	var body string
	switch action {
	case "DescribeRegions":
		var b strings.Builder
		for _, name := range list(q.r.Form, "RegionName") {
			status, ok := q.a.Regions[name]
			if !ok {
				q.ec2Error(http.StatusBadRequest, "InvalidParameterValue", "Invalid region: "+name)
				return
			}
			b.WriteString(el("item", tx("regionName", name)+tx("regionEndpoint", "ec2."+name+".amazonaws.com")+tx("optInStatus", status)))
		}
		body = el("regionInfo", b.String())
	case "DescribeAvailabilityZones":
		var b strings.Builder
		for _, z := range q.a.Zones {
			typ := z.Type
			if typ == "" {
				typ = "availability-zone"
			}
			b.WriteString(el("item", tx("zoneName", z.Name)+tx("zoneId", z.ID)+tx("zoneState", z.State)+tx("regionName", q.region)+
				tx("zoneType", typ)+tx("optInStatus", "opt-in-not-required")))
		}
		body = el("availabilityZoneInfo", b.String())
	case "DescribeVpcs":
		body = el("vpcSet", items(q.a.VPCs, func(v Tagged) string {
			owner := v.Owner
			if owner == "" {
				owner = q.a.ID
			}
			return tx("vpcId", v.ID) + tx("ownerId", owner) + tx("state", "available") + tagSet(v.Tags)
		}))
	case "DescribeAddresses":
		body = el("addressesSet", items(q.a.Addresses, func(v Tagged) string {
			return tx("allocationId", v.ID) + tx("publicIp", "203.0.113.1") + tx("domain", "vpc") + tagSet(v.Tags)
		}))
	case "DescribeNatGateways":
		states := f["state"]
		var gws []NatGateway
		for _, g := range q.a.NatGateways {
			if len(states) == 0 || contains(states, g.State) {
				gws = append(gws, g)
			}
		}
		body = el("natGatewaySet", items(gws, func(g NatGateway) string {
			return tx("natGatewayId", g.ID) + tx("subnetId", g.SubnetID) + tx("state", g.State) + tx("vpcId", "vpc-other") + tagSet(g.Tags)
		}))
	case "DescribeSubnets":
		ids := list(q.r.Form, "SubnetId")
		body = el("subnetSet", items(ids, func(id string) string {
			return tx("subnetId", id) + tx("availabilityZone", q.a.Subnets[id]) + tx("state", "available")
		}))
	case "DescribeInstanceTypeOfferings":
		var b strings.Builder
		for _, t := range sortedKeys(q.a.Offerings) {
			if len(f["instance-type"]) > 0 && !contains(f["instance-type"], t) {
				continue
			}
			for _, az := range q.a.Offerings[t] {
				if len(f["location"]) > 0 && !contains(f["location"], az) {
					continue
				}
				b.WriteString(el("item", tx("instanceType", t)+tx("location", az)+tx("locationType", "availability-zone")))
			}
		}
		body = el("instanceTypeOfferingSet", b.String())
	case "DescribeInstanceTypes":
		var b strings.Builder
		for _, t := range list(q.r.Form, "InstanceType") {
			v, ok := q.a.InstanceTypes[t]
			if !ok {
				q.ec2Error(http.StatusBadRequest, "InvalidInstanceType", "The following supplied instance types do not exist: ["+t+"]")
				return
			}
			b.WriteString(el("item", tx("instanceType", t)+el("vCpuInfo", tx("defaultVCpus", fmt.Sprint(v)))))
		}
		body = el("instanceTypeSet", b.String())
	case "DescribeInstances":
		states := f["instance-state-name"]
		var b strings.Builder
		for _, in := range q.a.Instances {
			state := in.State
			if state == "" {
				state = "running"
			}
			if len(states) > 0 && !contains(states, state) {
				continue
			}
			inner := tx("instanceId", in.ID) + tx("instanceType", in.Type) + el("instanceState", tx("code", "16")+tx("name", state)) +
				el("cpuOptions", tx("coreCount", fmt.Sprint(in.Cores))+tx("threadsPerCore", fmt.Sprint(in.Threads))) + tagSet(in.Tags)
			if in.Lifecycle != "" {
				inner += tx("instanceLifecycle", in.Lifecycle)
			}
			b.WriteString(el("item", tx("reservationId", "r-"+in.ID)+el("instancesSet", el("item", inner))))
		}
		body = el("reservationSet", b.String())
	default:
		q.ec2Error(http.StatusBadRequest, "InvalidAction", "ec2 "+action+" is not faked")
		return
	}
	q.writeXML(http.StatusOK, `<`+action+`Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">`+tx("requestId", "fake-request")+body+`</`+action+`Response>`)
}

func (q *request) ec2Error(status int, code, msg string) {
	q.writeXML(status, el("Response", el("Errors", el("Error", tx("Code", code)+tx("Message", msg)))+tx("RequestID", "fake-request")))
}

// filters reads Filter.N.Name / Filter.N.Value.M into name -> values.
func filters(form url.Values) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		name := form.Get(fmt.Sprintf("Filter.%d.Name", i))
		if name == "" {
			return out
		}
		out[name] = list(form, fmt.Sprintf("Filter.%d.Value", i))
	}
}

// list reads Prefix.1, Prefix.2, ...
func list(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[fmt.Sprintf("%s.%d", prefix, i)]
		if !ok {
			return out
		}
		out = append(out, v...)
	}
}

func items[T any](list []T, f func(T) string) string {
	var b strings.Builder
	for _, v := range list {
		b.WriteString(el("item", f(v)))
	}
	return b.String()
}

func tagSet(tags map[string]string) string {
	var b strings.Builder
	for _, k := range sortedTags(tags) {
		b.WriteString(el("item", tx("key", k)+tx("value", tags[k])))
	}
	return el("tagSet", b.String())
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
