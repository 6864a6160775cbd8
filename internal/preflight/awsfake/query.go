package awsfake

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// query answers the AWS query protocol of STS, IAM and RDS: a form POST with Action, and an
// <ActionResponse><ActionResult> XML answer, or an <ErrorResponse>.
func (q *request) query() {
	if err := q.r.ParseForm(); err != nil {
		q.queryError(http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	action := q.r.Form.Get("Action")
	var result string
	var status int
	var code, msg string
	switch q.service + ":" + action {
	case "sts:GetCallerIdentity":
		// Needs no permission: Deny here stands for credentials AWS does not accept.
		if q.record("sts:GetCallerIdentity", "*") {
			status, code, msg = 403, "InvalidClientTokenId", "The security token included in the request is invalid."
			break
		}
		// STS refuses callers in a region the account has not enabled.
		if q.a.Regions[q.region] == "not-opted-in" {
			status, code, msg = 403, "InvalidClientTokenId", "The security token included in the request is invalid."
			break
		}
		result = tx("Account", q.a.ID) + tx("Arn", q.a.CallerArn) + tx("UserId", "AROAFAKE:session")
	case "iam:GetRole", "iam:GetUser":
		kind := strings.ToLower(strings.TrimPrefix(action, "Get"))
		nameKey := map[string]string{"role": "RoleName", "user": "UserName"}[kind]
		n := q.r.Form.Get(nameKey)
		path, exists := q.a.Roles[n]
		if kind == "user" {
			path, exists = q.a.Users[n]
		}
		if !exists {
			path = "/" // IAM authorizes against the path it would have; unknown, the plain one
		}
		arn := fmt.Sprintf("arn:aws:iam::%s:%s%s%s", q.a.ID, kind, path, n)
		if q.record("iam:"+action, arn) {
			status, code, msg = 403, "AccessDenied", "not authorized to perform iam:"+action+" on "+arn
			break
		}
		if !exists {
			status, code, msg = 404, "NoSuchEntity", "The "+kind+" with name "+n+" cannot be found."
			break
		}
		if kind == "role" {
			result = el("Role", tx("Path", path)+tx("RoleName", n)+tx("RoleId", "AROAFAKE")+tx("Arn", arn)+
				tx("CreateDate", "2026-01-01T00:00:00Z")+tx("AssumeRolePolicyDocument", "%7B%7D"))
		} else {
			result = el("User", tx("Path", path)+tx("UserName", n)+tx("UserId", "AIDAFAKE")+tx("Arn", arn)+tx("CreateDate", "2026-01-01T00:00:00Z"))
		}
	case "rds:DescribeDBEngineVersions":
		if q.record("rds:DescribeDBEngineVersions", "*") {
			status, code, msg = 403, "AccessDenied", "not authorized"
			break
		}
		result = q.engineVersions()
	case "rds:DescribeDBClusters":
		id := q.r.Form.Get("DBClusterIdentifier")
		if q.record("rds:DescribeDBClusters", fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", q.region, q.a.ID, id)) {
			status, code, msg = 403, "AccessDenied", "not authorized"
			break
		}
		v, found := q.a.DBClusters[id]
		if !found {
			status, code, msg = 404, "DBClusterNotFoundFault", "DBCluster "+id+" not found."
			break
		}
		result = el("DBClusters", el("DBCluster", tx("DBClusterIdentifier", id)+tx("Engine", "aurora-mysql")+tx("EngineVersion", v)+tx("Status", "available")))
	case "rds:DescribeOrderableDBInstanceOptions":
		if q.record("rds:DescribeOrderableDBInstanceOptions", "*") {
			status, code, msg = 403, "AccessDenied", "not authorized"
			break
		}
		result = q.orderable()
	default:
		status, code, msg = 400, "InvalidAction", q.service+" "+action+" is not faked"
	}
	if code != "" {
		q.queryError(status, code, msg)
		return
	}
	q.writeXML(http.StatusOK, el(action+"Response", el(action+"Result", result)+el("ResponseMetadata", tx("RequestId", "fake-request"))))
}

func (q *request) queryError(status int, code, msg string) {
	q.writeXML(status, el("ErrorResponse", el("Error", tx("Type", "Sender")+tx("Code", code)+tx("Message", msg))+tx("RequestId", "fake-request")))
}

func (q *request) engineVersions() string {
	engine, version := q.r.Form.Get("Engine"), q.r.Form.Get("EngineVersion")
	all := q.r.Form.Get("IncludeAll") == "true"
	versions := make([]string, 0, len(q.a.EngineVersions))
	for v := range q.a.EngineVersions {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	var b strings.Builder
	for _, v := range versions {
		status := q.a.EngineVersions[v]
		if (engine != "" && engine != "aurora-mysql") || (version != "" && version != v) || (!all && status != "available") {
			continue
		}
		b.WriteString(el("DBEngineVersion", tx("Engine", "aurora-mysql")+tx("EngineVersion", v)+tx("Status", status)+
			tx("DBParameterGroupFamily", "aurora-mysql8.0")+el("ExportableLogTypes", members(q.a.EngineLogTypes[v]))+
			el("SupportedCACertificateIdentifiers", members(q.a.EngineCAs[v]))))
	}
	return el("DBEngineVersions", b.String())
}

func (q *request) orderable() string {
	f := q.r.Form
	var b strings.Builder
	for _, o := range q.a.Orderable {
		if f.Get("Engine") != o.Engine || (f.Get("EngineVersion") != "" && f.Get("EngineVersion") != o.Version) ||
			(f.Get("DBInstanceClass") != "" && f.Get("DBInstanceClass") != o.Class) {
			continue
		}
		var zones strings.Builder
		for _, z := range o.Zones {
			zones.WriteString(el("AvailabilityZone", tx("Name", z)))
		}
		b.WriteString(el("OrderableDBInstanceOption", tx("Engine", o.Engine)+tx("EngineVersion", o.Version)+tx("DBInstanceClass", o.Class)+
			el("AvailabilityZones", zones.String())+tx("SupportsPerformanceInsights", fmt.Sprint(o.PerformanceInsights))+tx("SupportsClusters", "true")))
	}
	return el("OrderableDBInstanceOptions", b.String())
}

// members is a query-protocol list: <member>...</member> per item.
func members(list []string) string {
	var b strings.Builder
	for _, v := range list {
		b.WriteString(tx("member", v))
	}
	return b.String()
}
