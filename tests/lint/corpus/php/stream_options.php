<?php
$context = stream_context_create();
stream_context_set_option($context, 'ssl', 'verify_peer', false);
stream_context_set_option($context, "ssl", "verify_peer_name", 0);
stream_context_set_option($context, 'ssl', 'allow_self_signed', true);
$fp = stream_socket_client("ssl://internal.example.com:443", $errno, $errstr, 30, STREAM_CLIENT_CONNECT, $context);
