# provider "kubernetes" { insecure = true }
// insecure = true was needed behind the proxy; the CA is configured instead
/* skip_tls_verify = true */
provider "kubernetes" {
  host                   = "https://k8s.internal.example.com:6443"
  cluster_ca_certificate = file("${path.module}/cluster-ca.pem")
  insecure               = false
}

provider "vault" {
  address         = "https://vault.internal.example.com:8200"
  ca_cert_file    = "/etc/ssl/company-bundle.pem"
  skip_tls_verify = var.vault_skip_tls_verify
}

variable "insecure" {
  description = "Never set insecure = true: add the CA with cluster_ca_certificate."
  type        = bool
  default     = false
}

locals {
  is_insecure     = var.insecure == true
  allow_insecure  = true
  ghes_ssl_verify = true
}

variable "vault_skip_tls_verify" {
  description = <<-EOT
    Only for a lab without its CA: skip_tls_verify = true accepts any certificate.
    Never set insecure = true on the kubernetes provider either.
  EOT
  type        = bool
  default     = false
}

# Argo CD's server.insecure serves plain HTTP behind the ingress: the chart's own setting.
resource "helm_release" "argocd" {
  name  = "argocd"
  chart = "argo-cd"
  values = [<<YAML
server:
  insecure: true
YAML
  ]
}

variable "insecure_skip_verify" {
  description = "Skip TLS verification (only for a lab)"
  type        = bool
  default     = false
}

variable "verify_tls" {
  type    = bool
  default = true
}

variable "name" {
  default = "insecure"
}
