package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificate"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificatevalidation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2apimapping"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2domainname"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
)

// addCustomDomain, when configured, serves the API on a name of a Route 53 hosted zone: an ACM
// certificate validated through DNS, the API Gateway domain (TLS 1.2) mapped to the stage, and
// an alias record.
func (g *Gateway) addCustomDomain() {
	if g.props.CustomDomainName == "" {
		return
	}
	cert := acmcertificate.NewAcmCertificate(g.Construct, jsii.String("api-certificate"), &acmcertificate.AcmCertificateConfig{
		DomainName:       jsii.String(g.props.CustomDomainName),
		ValidationMethod: jsii.String("DNS"),
		Tags:             tags("Name", g.props.CustomDomainName),
	})
	option := cert.DomainValidationOptions().Get(jsii.Number(0))
	record := route53record.NewRoute53Record(g.Construct, jsii.String("api-certificate-validation"), &route53record.Route53RecordConfig{
		ZoneId:         jsii.String(g.props.HostedZoneID),
		Name:           option.ResourceRecordName(),
		Type:           option.ResourceRecordType(),
		Records:        &[]*string{option.ResourceRecordValue()},
		Ttl:            jsii.Number(300),
		AllowOverwrite: jsii.Bool(true),
	})
	validation := acmcertificatevalidation.NewAcmCertificateValidation(g.Construct, jsii.String("api-certificate-valid"), &acmcertificatevalidation.AcmCertificateValidationConfig{
		CertificateArn:        cert.Arn(),
		ValidationRecordFqdns: &[]*string{record.Fqdn()},
	})
	domain := apigatewayv2domainname.NewApigatewayv2DomainName(g.Construct, jsii.String("api-domain"), &apigatewayv2domainname.Apigatewayv2DomainNameConfig{
		DomainName: jsii.String(g.props.CustomDomainName),
		DomainNameConfiguration: &apigatewayv2domainname.Apigatewayv2DomainNameDomainNameConfiguration{
			CertificateArn: validation.CertificateArn(),
			EndpointType:   jsii.String("REGIONAL"),
			SecurityPolicy: jsii.String("TLS_1_2"),
		},
		Tags: tags("Name", g.props.CustomDomainName),
	})
	apigatewayv2apimapping.NewApigatewayv2ApiMapping(g.Construct, jsii.String("api-mapping"), &apigatewayv2apimapping.Apigatewayv2ApiMappingConfig{
		ApiId:      g.apiID,
		DomainName: domain.Id(),
		Stage:      g.stageID,
	})
	target := domain.DomainNameConfiguration()
	route53record.NewRoute53Record(g.Construct, jsii.String("api-alias"), &route53record.Route53RecordConfig{
		ZoneId: jsii.String(g.props.HostedZoneID),
		Name:   jsii.String(g.props.CustomDomainName),
		Type:   jsii.String("A"),
		Alias: &route53record.Route53RecordAlias{
			Name:                 target.TargetDomainName(),
			ZoneId:               target.HostedZoneId(),
			EvaluateTargetHealth: jsii.Bool(false),
		},
	})
	g.CustomDomainURL = "https://" + g.props.CustomDomainName
	// The default endpoint is disabled with a custom domain: the domain is the API's URL.
	g.ApiEndpoint = jsii.String(g.CustomDomainURL)
}
