provider "kubernetes" {
  host     = "https://k8s.internal.example.com:6443"
  insecure = true
}

provider "helm" {
  kubernetes {
    host     = "https://k8s.internal.example.com:6443"
    insecure = "true"
  }
}

provider "vault" {
  address         = "https://vault.internal.example.com:8200"
  skip_tls_verify = true
}

provider "vsphere" {
  vsphere_server       = "vcenter.internal.example.com"
  allow_unverified_ssl = true
}

provider "proxmox" { pm_tls_insecure = true }

provider "consul" {
  address        = "consul.internal.example.com:8501"
  scheme         = "https"
  insecure_https = true
}

data "http" "installer" {
  url      = "https://internal.example.com/install.sh"
  insecure = true
}

resource "docker_registry_image" "app" {
  name                 = "registry.internal.example.com/app:1"
  insecure_skip_verify = true
}

module "runners" {
  source          = "./modules/runners"
  ghes_ssl_verify = false
}

data "http" "health" {
  url = "https://internal.example.com/health"
  request_headers = { Accept = "application/json" }
  lifecycle {
    postcondition {
      condition     = self.status_code == 200
      error_message = <<-EOT
        The health check failed: "${self.url}"
      EOT
    }
  }
  insecure = true
}

# A module input whose default skips the checks: every caller that does not set it skips them.
variable "skip_tls_verify" {
  description = "Skip TLS verification for the ${var.name} provider"
  type        = bool
  default     = true
}

variable "insecure" { default = true }
