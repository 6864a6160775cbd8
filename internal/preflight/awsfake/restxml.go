package awsfake

import (
	"fmt"
	"net/http"
	"strings"
)

const route53NS = "https://route53.amazonaws.com/doc/2013-04-01/"

// route53 answers Route 53's REST-XML protocol (GetHostedZone).
func (q *request) route53() {
	id, ok := strings.CutPrefix(q.r.URL.Path, "/2013-04-01/hostedzone/")
	if !ok || q.r.Method != http.MethodGet {
		q.route53Error(http.StatusBadRequest, "InvalidInput", q.r.Method+" "+q.r.URL.Path+" is not faked")
		return
	}
	if q.record("route53:GetHostedZone", "arn:aws:route53:::hostedzone/"+id) {
		q.route53Error(http.StatusForbidden, "AccessDenied", "not authorized to perform route53:GetHostedZone")
		return
	}
	z, found := q.a.HostedZones[id]
	if !found {
		q.route53Error(http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: "+id)
		return
	}
	q.writeXML(http.StatusOK, `<GetHostedZoneResponse xmlns="`+route53NS+`">`+
		el("HostedZone", tx("Id", "/hostedzone/"+id)+tx("Name", z.Name)+tx("CallerReference", "fake")+
			el("Config", tx("PrivateZone", fmt.Sprint(z.Private)))+tx("ResourceRecordSetCount", "2"))+
		el("DelegationSet", el("NameServers", tx("NameServer", "ns-1.awsdns-01.org")))+`</GetHostedZoneResponse>`)
}

func (q *request) route53Error(status int, code, msg string) {
	q.writeXML(status, `<ErrorResponse xmlns="`+route53NS+`">`+el("Error", tx("Type", "Sender")+tx("Code", code)+tx("Message", msg))+tx("RequestId", "fake-request")+`</ErrorResponse>`)
}

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3 answers S3's REST-XML protocol, path-style (/bucket): HeadBucket, GetBucketLocation,
// GetBucketVersioning.
func (q *request) s3() {
	bucket := strings.Trim(q.r.URL.Path, "/")
	if bucket == "" || strings.Contains(bucket, "/") {
		q.s3Error(http.StatusBadRequest, "InvalidRequest", "only bucket operations are faked")
		return
	}
	arn := "arn:aws:s3:::" + bucket
	b, exists := q.a.Buckets[bucket]
	query := q.r.URL.Query()
	switch {
	case q.r.Method == http.MethodHead:
		if q.record("s3:ListBucket", arn) || b.Foreign {
			q.w.WriteHeader(http.StatusForbidden)
			return
		}
		if !exists {
			q.w.WriteHeader(http.StatusNotFound)
			return
		}
		q.w.Header().Set("x-amz-bucket-region", b.Region)
		// Asked in another region, S3 redirects: 301, no body, the bucket's region in the header.
		if b.Region != q.region {
			q.w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		q.w.WriteHeader(http.StatusOK)
	case q.r.Method == http.MethodGet && query.Has("location"):
		if !q.s3Readable("s3:GetBucketLocation", arn, b, exists) {
			return
		}
		constraint := b.Region
		if constraint == "us-east-1" {
			constraint = ""
		}
		q.writeXML(http.StatusOK, `<LocationConstraint xmlns="`+s3NS+`">`+x(constraint)+`</LocationConstraint>`)
	case q.r.Method == http.MethodGet && query.Has("versioning"):
		if !q.s3Readable("s3:GetBucketVersioning", arn, b, exists) {
			return
		}
		status := ""
		if b.Versioning != "" {
			status = tx("Status", b.Versioning)
		}
		q.writeXML(http.StatusOK, `<VersioningConfiguration xmlns="`+s3NS+`">`+status+`</VersioningConfiguration>`)
	default:
		q.s3Error(http.StatusBadRequest, "InvalidRequest", q.r.Method+" "+q.r.URL.String()+" is not faked")
	}
}

// s3Readable answers AccessDenied or NoSuchBucket, as S3 would, unless the caller may read the bucket.
func (q *request) s3Readable(action, arn string, b Bucket, exists bool) bool {
	switch {
	case q.record(action, arn) || b.Foreign:
		q.s3Error(http.StatusForbidden, "AccessDenied", "Access Denied")
	case !exists:
		q.s3Error(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	default:
		return true
	}
	return false
}

func (q *request) s3Error(status int, code, msg string) {
	q.writeXML(status, el("Error", tx("Code", code)+tx("Message", msg)+tx("RequestId", "fake-request")))
}
