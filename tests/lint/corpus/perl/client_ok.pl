use strict;
use warnings;
use LWP::UserAgent;
use IO::Socket::SSL qw(SSL_VERIFY_PEER);

# ssl_opts => { verify_hostname => 0 } would accept any certificate
my $ua = LWP::UserAgent->new(
    ssl_opts => {
        verify_hostname => 1,
        SSL_verify_mode => SSL_VERIFY_PEER,
        SSL_ca_file     => '/etc/ssl/company-bundle.pem',
    },
);
my $tiny = HTTP::Tiny->new(verify_SSL => 1);
print "Do not set SSL_verify_mode => SSL_VERIFY_NONE\n";
if ($ENV{PERL_LWP_SSL_VERIFY_HOSTNAME} == 0) { die "verification is off\n"; }
my $ok = $sock->verify_hostname($host, 'http');

=head1 NOTES

Never write C<< SSL_verify_mode => SSL_VERIFY_NONE >> or C<< $ua->insecure(1) >>.

=cut

1;
