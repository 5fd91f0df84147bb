<?php
$context = stream_context_create();
stream_context_set_option($context, 'ssl', 'verify_peer', true);
stream_context_set_option($context, 'ssl', 'cafile', '/etc/ssl/company-bundle.pem');
stream_context_set_option($context, 'ssl', 'allow_self_signed', false);
// stream_context_set_option($context, 'ssl', 'verify_peer', false); is what we removed
$help = "never call stream_context_set_option(\$ctx, 'ssl', 'verify_peer', false)";
