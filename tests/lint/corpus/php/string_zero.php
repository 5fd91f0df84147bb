<?php
// A PHP static-analysis rule's positive cases (search corpus, "CurlSslServerSpoofingRule"):
// PHP turns the string '0' into false, so these switch the checks off too.
$ch = curl_init();
curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, '0');
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, '0');
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, "0");
