package config

// Gateway is the public front door of an environment: an HTTP API with Cognito JWTs and a VPC
// link to an internal ALB behind WAF.
type Gateway struct {
	CognitoDomainPrefix        string // hosted token endpoint prefix, globally unique
	ThrottlingRateLimit        int    // requests per second, the API stage's default route
	ThrottlingBurstLimit       int
	WafRateLimit               int // requests per 5 minutes from one client address
	CorsAllowedOrigins         []string
	CorsAllowCredentials       bool
	AccessTokenValidityMinutes int
	AlbCertificateArn          string // empty: HTTP inside the VPC
	AlbTLSServerName           string // a name on that certificate (API Gateway verifies it)
	CustomDomain               *CustomDomain
	LogRetentionDays           int
	AlbLogExpirationDays       int
}

// CustomDomain is an optional API domain in a Route 53 hosted zone of the account.
type CustomDomain struct {
	Name         string
	HostedZoneID string
}

// Defaults for the gateway section.
const (
	DefaultThrottlingRate       = 100
	DefaultThrottlingBurst      = 100
	DefaultWafRateLimit         = 10000 // per 5 minutes: about 33 requests per second from one address
	DefaultTokenValidityMinutes = 60
	DefaultAlbLogExpirationDays = 90
	// API Gateway's default account quotas per region (10,000 requests per second, burst
	// 5,000): a stage cannot usefully be set above them.
	MaxThrottlingRate  = 10000
	MaxThrottlingBurst = 5000
	MinWafRateLimit    = 10 // AWS WAF rate-based rules: at least 10 per evaluation window
)
