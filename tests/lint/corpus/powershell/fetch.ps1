Invoke-WebRequest -Uri https://internal.example.com/tool.zip -OutFile tool.zip -SkipCertificateCheck
[System.Net.ServicePointManager]::ServerCertificateValidationCallback = {$true}
$env:NODE_TLS_REJECT_UNAUTHORIZED = "0"
