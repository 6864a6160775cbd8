package preflight

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// errorCode is the AWS error code of a failed call ("" when the call did not get an answer).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// describe is a failed call's error in one line: AWS's code and message when it answered.
func describe(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if msg == "" {
			return ae.ErrorCode()
		}
		return ae.ErrorCode() + ": " + msg
	}
	return err.Error()
}

// denied tells whether AWS refused the call for lack of permission.
func denied(err error) bool {
	switch errorCode(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
		"UnauthorizedException", "Forbidden", "NotAuthorizedException":
		return true
	}
	return false
}

// fixFor is the usual fix of a failed call.
func fixFor(err error) string {
	switch {
	case denied(err):
		return "grant the caller the preflight policy (go run ./cmd/preflight -policy prints it)"
	case strings.Contains(err.Error(), "no EC2 IMDS role found"), strings.Contains(err.Error(), "failed to refresh cached credentials"),
		errorCode(err) == "InvalidClientTokenId", errorCode(err) == "ExpiredToken", errorCode(err) == "SignatureDoesNotMatch":
		return "configure AWS credentials for the account (AWS_PROFILE, aws sso login, or the deploy role) and run again"
	}
	return "run again; if it persists, check the call with the AWS CLI"
}
