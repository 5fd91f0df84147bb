# Environment variables and CA paths committed in Terraform (TLS209, TLS305).
resource "aws_lambda_function" "api" {
  function_name = "api"
  environment {
    variables = {
      NODE_TLS_REJECT_UNAUTHORIZED = "0"
      NODE_EXTRA_CA_CERTS          = "/var/task/company-ca.pem"
    }
  }
}

resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        container {
          name = "app"
          env {
            name  = "NODE_TLS_REJECT_UNAUTHORIZED"
            value = "0"
          }
          env {
            name  = "GIT_SSL_NO_VERIFY"
            value = "true"
          }
        }
      }
    }
  }
}

resource "aws_ecs_task_definition" "web" {
  family = "web"
  container_definitions = jsonencode([{
    name = "web"
    environment = [
      { name = "PYTHONHTTPSVERIFY", value = "0" },
      { name = "LOG_LEVEL", value = "info" },
    ]
  }])
}

resource "aws_ecs_task_definition" "worker" {
  family                = "worker"
  container_definitions = <<-JSON
    [{"name": "worker", "environment": [{"name": "NODE_TLS_REJECT_UNAUTHORIZED", "value": "0"}]}]
  JSON
}

resource "null_resource" "fetch" {
  provisioner "local-exec" {
    command = "./fetch.sh"
    environment = {
      GIT_SSL_NO_VERIFY = "1"
    }
  }
}

provider "vault" {
  address      = "https://vault.internal.example.com:8200"
  ca_cert_file = "/Users/alice/certs/zscaler-bundle.pem"
}

provider "kubernetes" {
  host                   = "https://k8s.internal.example.com:6443"
  cluster_ca_certificate = file("/home/bob/corp-ca.pem")
}

provider "aws" {
  region           = "eu-west-1"
  custom_ca_bundle = "~/certs/corp-bundle.pem"
}

provider "helm" {
  kubernetes {
    cluster_ca_certificate = file("C:\\Users\\carol\\corp-ca.pem")
  }
}
