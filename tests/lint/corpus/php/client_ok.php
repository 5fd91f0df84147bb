<?php
// curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false); is what we must never do
# 'verify' => false disables Guzzle's checks
$ch = curl_init("https://internal.example.com/");
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
curl_setopt($ch, CURLOPT_CAINFO, "/etc/ssl/company-bundle.pem");
$client = new GuzzleHttp\Client(['verify' => '/etc/ssl/company-bundle.pem']);
