use Mojo::UserAgent;
my $ua = Mojo::UserAgent->new;
$ua->insecure(1);
my $tiny = HTTP::Tiny->new(verify_SSL => 0);
