package gateway

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2api"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2authorizer"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2integration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2stage"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2vpclink"
)

// Route is one public route: its method and path, the app's path it is rewritten to, the
// scope it requires and the status the app's 200 becomes (0: unchanged).
type Route struct {
	Method, Path, AppPath, Scope string
	Status                       int
}

// Routes are everything the API serves; nothing else is routable (no $default route). The app
// answers 200 everywhere; POST becomes 201 and DELETE 204, as the reference deployment did.
var Routes = []Route{
	{"GET", "/products", "/api/products", Scopes.Read, 0},
	{"POST", "/products", "/api/products", Scopes.Write, 201},
	{"GET", "/products/{id}", "/api/products/$request.path.id", Scopes.Read, 0},
	{"PUT", "/products/{id}", "/api/products/$request.path.id", Scopes.Write, 0},
	{"DELETE", "/products/{id}", "/api/products/$request.path.id", Scopes.Write, 204},
}

// addHttpApi creates the HTTP API: a VPC link in the private subnets, a JWT authorizer on the
// pool's tokens, one integration and route per Routes entry, and the auto-deployed default
// stage with throttling and JSON access logs.
func (g *Gateway) addHttpApi() {
	cfg := &apigatewayv2api.Apigatewayv2ApiConfig{
		Name:         jsii.String(g.name("api")),
		ProtocolType: jsii.String("HTTP"),
		Description:  jsii.String("phl-store products API"),
		// With a custom domain, clients use it only.
		DisableExecuteApiEndpoint: jsii.Bool(g.props.CustomDomainName != ""),
		Tags:                      tags("Name", g.name("api")),
	}
	if len(g.props.CorsAllowedOrigins) > 0 {
		cfg.CorsConfiguration = &apigatewayv2api.Apigatewayv2ApiCorsConfiguration{
			AllowOrigins:     strs(g.props.CorsAllowedOrigins...),
			AllowMethods:     strs("GET", "POST", "PUT", "DELETE", "OPTIONS"),
			AllowHeaders:     strs("authorization", "content-type"),
			AllowCredentials: jsii.Bool(g.props.CorsAllowCredentials),
			MaxAge:           jsii.Number(600),
		}
	}
	api := apigatewayv2api.NewApigatewayv2Api(g.Construct, jsii.String("api"), cfg)

	link := apigatewayv2vpclink.NewApigatewayv2VpcLink(g.Construct, jsii.String("vpc-link"), &apigatewayv2vpclink.Apigatewayv2VpcLinkConfig{
		Name:             jsii.String(g.name("api")),
		SubnetIds:        &g.props.PrivateSubnetIDs,
		SecurityGroupIds: &[]*string{g.vpcLinkSGID},
		Tags:             tags("Name", g.name("api")),
	})
	// Cognito access tokens carry client_id rather than aud; API Gateway checks client_id
	// against the audience when aud is absent (API Gateway developer guide, JWT authorizers).
	auth := apigatewayv2authorizer.NewApigatewayv2Authorizer(g.Construct, jsii.String("jwt"), &apigatewayv2authorizer.Apigatewayv2AuthorizerConfig{
		ApiId:           api.Id(),
		Name:            jsii.String("cognito"),
		AuthorizerType:  jsii.String("JWT"),
		IdentitySources: strs("$request.header.Authorization"),
		JwtConfiguration: &apigatewayv2authorizer.Apigatewayv2AuthorizerJwtConfiguration{
			Audience: &[]*string{g.ClientID},
			Issuer:   jsii.String(g.issuer()),
		},
	})

	for _, r := range Routes {
		id := r.Method + "-" + map[bool]string{true: "item", false: "collection"}[r.Path != "/products"]
		integration := &apigatewayv2integration.Apigatewayv2IntegrationConfig{
			ApiId:                api.Id(),
			IntegrationType:      jsii.String("HTTP_PROXY"),
			IntegrationMethod:    jsii.String(r.Method),
			IntegrationUri:       g.ListenerArn,
			ConnectionType:       jsii.String("VPC_LINK"),
			ConnectionId:         link.Id(),
			PayloadFormatVersion: jsii.String("1.0"),
			// Parameter mapping (API Gateway developer guide): the app's path, and the client's
			// address for WAF's per-client rate limit. "$request..." is API Gateway's syntax.
			RequestParameters: &map[string]*string{
				"overwrite:path":                     jsii.String(r.AppPath),
				"overwrite:header." + ClientIPHeader: jsii.String("$context.identity.sourceIp"),
			},
		}
		if r.Status != 0 {
			integration.ResponseParameters = &[]*apigatewayv2integration.Apigatewayv2IntegrationResponseParameters{{
				StatusCode: jsii.String("200"),
				Mappings:   &map[string]*string{"overwrite:statuscode": jsii.String(jsonNumber(r.Status))},
			}}
		}
		if g.props.AlbCertificateArn != "" {
			// API Gateway verifies the ALB's certificate against this name.
			integration.TlsConfig = &apigatewayv2integration.Apigatewayv2IntegrationTlsConfig{ServerNameToVerify: jsii.String(g.props.AlbTLSServerName)}
		}
		in := apigatewayv2integration.NewApigatewayv2Integration(g.Construct, jsii.String("integration-"+id), integration)
		apigatewayv2route.NewApigatewayv2Route(g.Construct, jsii.String("route-"+id), &apigatewayv2route.Apigatewayv2RouteConfig{
			ApiId:               api.Id(),
			RouteKey:            jsii.String(r.Method + " " + r.Path),
			Target:              jsii.String("integrations/" + *in.Id()),
			AuthorizationType:   jsii.String("JWT"),
			AuthorizerId:        auth.Id(),
			AuthorizationScopes: strs(Scope(r.Scope)),
		})
	}

	logs := g.logGroup("api-logs", "/aws/apigateway/"+g.name("api"))
	format, _ := json.Marshal(map[string]string{
		"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
		"httpMethod": "$context.httpMethod", "routeKey": "$context.routeKey", "status": "$context.status",
		"protocol": "$context.protocol", "responseLength": "$context.responseLength", "latency": "$context.responseLatency",
		"integrationStatus": "$context.integrationStatus", "integrationLatency": "$context.integrationLatency",
		"authorizerError": "$context.authorizer.error", "clientId": "$context.authorizer.claims.client_id",
		"errorMessage": "$context.error.message", "integrationError": "$context.integrationErrorMessage",
	})
	stage := apigatewayv2stage.NewApigatewayv2Stage(g.Construct, jsii.String("stage"), &apigatewayv2stage.Apigatewayv2StageConfig{
		ApiId:      api.Id(),
		Name:       jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		DefaultRouteSettings: &apigatewayv2stage.Apigatewayv2StageDefaultRouteSettings{
			ThrottlingRateLimit:    jsii.Number(g.props.ThrottlingRateLimit),
			ThrottlingBurstLimit:   jsii.Number(g.props.ThrottlingBurstLimit),
			DetailedMetricsEnabled: jsii.Bool(true),
		},
		AccessLogSettings: &apigatewayv2stage.Apigatewayv2StageAccessLogSettings{DestinationArn: logs.Arn(), Format: jsii.String(string(format))},
		Tags:              tags("Name", g.name("api")),
	})
	// The API's endpoint (the $default stage's invoke URL is the same with a trailing "/").
	g.ApiEndpoint = api.ApiEndpoint()
	g.apiID = api.Id()
	g.stageID = stage.Id()
}

func jsonNumber(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
