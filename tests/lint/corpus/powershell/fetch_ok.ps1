# Never add -SkipCertificateCheck; Windows PowerShell trusts the OS store where IT put the CA.
Invoke-WebRequest -Uri https://internal.example.com/tool.zip -OutFile tool.zip
<# $env:NODE_TLS_REJECT_UNAUTHORIZED = "0" would disable verification #>
$env:NODE_EXTRA_CA_CERTS = "C:\ProgramData\company\ca.pem"
