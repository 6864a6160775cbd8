# Deliberately insecure: the security scan must report HIGH findings here.
resource "aws_security_group" "open_ssh" {
  name        = "canary"
  description = "canary"
  ingress {
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_cloudwatch_log_group" "unencrypted" {
  name = "canary"
}
