variable "node_tls" {
  description = "Never set NODE_TLS_REJECT_UNAUTHORIZED=0 or GIT_SSL_NO_VERIFY=1; ca_file = /Users/you/ca.pem is per machine"
  type        = string
  default     = "1"

  validation {
    condition     = var.node_tls != "0"
    error_message = "NODE_TLS_REJECT_UNAUTHORIZED=0 turns verification off; use NODE_EXTRA_CA_CERTS."
  }
}

variable "ca_notes" {
  description = <<-EOT
    The CA goes in the image; do not set PYTHONHTTPSVERIFY=0 nor
    point cluster_ca_certificate at file("/home/you/ca.pem").
  EOT
  type        = string
  default     = ""
}

# NODE_TLS_REJECT_UNAUTHORIZED = "0" was needed behind the proxy
resource "aws_lambda_function" "api" {
  function_name = "api"
  environment {
    variables = {
      NODE_TLS_REJECT_UNAUTHORIZED = "1"
      NODE_EXTRA_CA_CERTS          = "/var/task/company-ca.pem"
      REQUESTS_CA_BUNDLE           = "/etc/ssl/certs/ca-certificates.crt"
    }
  }
}

provider "kubernetes" {
  config_path            = "~/.kube/config"
  cluster_ca_certificate = file("${path.module}/cluster-ca.pem")
}

provider "vault" {
  ca_cert_file = "/etc/ssl/company-bundle.pem"
}
